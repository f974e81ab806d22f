import { ApiError } from './errors';
import { findUnsafeInput, MAX_INPUT_DEPTH, rejectUnsafeInput, textProblem } from './unsafe-input';

describe('unsafe client input', () => {
  it('accepts ordinary text, including characters outside the BMP and control characters PostgreSQL stores', () => {
    for (const text of ['', 'plain', 'ünïcödé', '😀 paired surrogates', '\t\n\u0001\u007f', '\ufffd'])
      expect(textProblem(text)).toBeUndefined();
  });

  it('refuses NUL and unpaired surrogates wherever they are in the string', () => {
    expect(textProblem('a\u0000b')).toMatch(/NUL/);
    for (const text of ['\ud800', 'x\ud800y', '\udc00', 'a\udc00', '\udc00\ud800', '😀\ud83d'])
      expect(textProblem(text)).toMatch(/unpaired UTF-16 surrogate/);
  });

  it('names the field: nested keys, array items and object keys', () => {
    expect(findUnsafeInput({ selectedAuthenticator: { params: { username: 'a\u0000' } } }, '')).toMatchObject({
      field: 'selectedAuthenticator.params.username',
      messageId: 'msg_invalid_text',
    });
    expect(findUnsafeInput({ redirectUris: ['ok', '\ud800'] }, '')).toMatchObject({ field: 'redirectUris[1]' });
    expect(findUnsafeInput({ params: { ['a\u0000']: 'x' } }, '')).toMatchObject({
      field: 'params.a\u0000',
      message: expect.stringMatching(/the name/),
    });
    expect(findUnsafeInput('\u0000', '')).toMatchObject({ field: 'body' });
    expect(findUnsafeInput({ a: 1, b: true, c: null, d: ['x', { e: 'y' }] }, '')).toBeUndefined();
  });

  it('checks a __proto__ key that JSON.parse made an own property like any other key', () => {
    expect(findUnsafeInput(JSON.parse('{"__proto__": {"x": "\\u0000"}}'), '')).toMatchObject({ field: '__proto__.x' });
  });

  it('refuses nesting deeper than MAX_INPUT_DEPTH without recursing into it', () => {
    const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect(findUnsafeInput(nested(MAX_INPUT_DEPTH), '')).toBeUndefined();
    expect(findUnsafeInput(nested(MAX_INPUT_DEPTH + 1), '')).toMatchObject({ messageId: 'msg_too_deep' });
    expect(findUnsafeInput({ a: nested(100_000) }, '')).toMatchObject({
      messageId: 'msg_too_deep',
      field: expect.stringMatching(/^a(\[0\])+$/),
    });
  });

  it('rejects a request by its path params, query or body with a 400 naming the field', () => {
    const check = (request: { params?: unknown; query?: unknown; body?: unknown }) => {
      try {
        rejectUnsafeInput({ params: request.params ?? {}, query: request.query ?? {}, body: request.body });
        return undefined;
      } catch (error) {
        return error as ApiError;
      }
    };
    expect(check({ params: { tenant: 'de\u0000mo' } })).toMatchObject({
      status: 400,
      code: 'KW-40000',
      description: 'tenant: must not contain NUL characters (U+0000)',
    });
    expect(check({ query: { state: 'a\u0000b' } })?.description).toMatch(/^state: /);
    expect(check({ body: { state: '\ud800' } })?.description).toMatch(/^state: must be valid Unicode/);
    expect(check({ params: { tenant: 'demo' }, query: { state: 'x' }, body: { flowId: 'x' } })).toBeUndefined();
  });
});
