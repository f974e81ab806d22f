import { lineOfPath, parseJson, placeOf } from './json-text';

describe('parseJson: a syntax error with its place', () => {
  it('parses JSON', () => {
    expect(parseJson('{"a": [1, true, null]}')).toEqual({ ok: true, value: { a: [1, true, null] } });
  });

  it('places the error from the engine’s position, or by reading the text when the message names none', () => {
    const trailingComma = parseJson('{\n  "a": 1,\n}');
    expect(trailingComma).toMatchObject({ ok: false, line: 3, column: 1 });
    expect(trailingComma.ok === false && trailingComma.message).not.toMatch(/position|line \d/);

    // "Unexpected token '}', "{"a": tru}" is not valid JSON": no position in the message, nor the text.
    const badLiteral = parseJson('{\n  "a": tru\n}');
    expect(badLiteral).toMatchObject({ ok: false, line: 2, column: 8 });
    expect(badLiteral.ok === false && badLiteral.message).not.toContain('is not valid JSON');

    expect(parseJson('{\n  "a": [1, 2')).toMatchObject({ ok: false, line: 2, column: 13 });
    expect(parseJson('')).toMatchObject({ ok: false, line: 1, column: 1 });
  });

  it('counts lines and columns from 1', () => {
    expect(placeOf('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(placeOf('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('lineOfPath: the line of the value the API names', () => {
  const text = JSON.stringify(
    {
      type: 'object',
      properties: {
        email: { type: 'string', keyway: { credentials: { password: { identifier: true } } } },
        'a.b': { type: 'string', pattern: '^x$' },
        pin: { type: 'integer' },
      },
      required: ['email', 'pin'],
    },
    null,
    2,
  );
  const lines = text.split('\n');
  const lineOf = (needle: string) => lines.findIndex((line) => line.includes(needle)) + 1;

  it('finds object members by their key, array items by their value, under the text’s own root', () => {
    expect(lineOfPath(text, 'schema.properties.pin', 'schema')).toBe(lineOf('"pin": {'));
    expect(lineOfPath(text, 'schema.required[1]', 'schema')).toBe(
      lines.findLastIndex((line) => line.trim() === '"pin"') + 1,
    );
    expect(lineOfPath(text, 'schema.type', 'schema')).toBe(2);
    expect(lineOfPath(text, 'schema', 'schema')).toBe(1);
  });

  it('falls back to the deepest part written, and reads keys with dots', () => {
    expect(lineOfPath(text, 'schema.properties.pin.keyway.display.input', 'schema')).toBe(lineOf('"pin": {'));
    expect(lineOfPath(text, 'schema.properties.a.b.pattern', 'schema')).toBe(lineOf('"pattern"'));
  });

  it('knows nothing of text that is not JSON or paths outside it', () => {
    expect(lineOfPath('{"a": ', 'a')).toBeUndefined();
    expect(lineOfPath(text, 'other.thing', 'schema')).toBeUndefined();
  });
});
