/**
 * JSON as an editor sees it: where a syntax error is (line and column, from JSON.parse's own message), and on
 * which line the value the API names by path (`schema.properties.pin.type`) is written.
 */

export type ParsedJson = { ok: true; value: unknown } | { ok: false; message: string; line?: number; column?: number };

/**
 * JSON.parse, with the error's place. Engines say it differently: V8 "… in JSON at position 42 (line 3
 * column 5)" (older V8 gives the position alone), Firefox "… at line 3 column 5 of the JSON data", and
 * "Unexpected end of JSON input" when the text stops short (the end of the text, then).
 */
export function parseJson(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const lineColumn = /line (\d+) column (\d+)/.exec(raw);
    const position = /at position (\d+)/.exec(raw);
    const place = lineColumn
      ? { line: Number(lineColumn[1]), column: Number(lineColumn[2]) }
      : position
        ? placeOf(text, Number(position[1]))
        : // "Unexpected token 'x', "…" is not valid JSON" names no place: find it by reading the text.
          placeOf(text, failureOffset(text));
    const message = raw
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/\s*in JSON at position \d+/, '')
      .replace(/\s*at line \d+ column \d+ of the JSON data/, '')
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/^JSON\.parse: /, '');
    return { ok: false, message: capitalise(message.trim() || 'Invalid JSON'), ...place };
  }
}

/** 1-based line and column of a character offset. */
export function placeOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/**
 * The 1-based line where the value at `path` is written (for an object member, the line of its key), the
 * path spelled as the API spells fields: `a.b`, `a[0]`. A path that goes deeper than the text (the API
 * names `schema.properties.pin.keyway.verification.via` where the text has `pin`) finds its deepest part
 * written. `prefix` is the path of the text's own root (`schema`: the body field the text is the value of).
 * Undefined for text that is not JSON or a path outside it.
 */
export function lineOfPath(text: string, path: string, prefix = ''): number | undefined {
  let offsets: Map<string, number>;
  try {
    offsets = valueOffsets(text, prefix);
  } catch {
    return undefined;
  }
  let best: string | undefined;
  for (const known of offsets.keys()) {
    const within = known === path || path.startsWith(`${known}.`) || path.startsWith(`${known}[`);
    if (within && (best === undefined || known.length > best.length)) best = known;
  }
  return best === undefined ? undefined : placeOf(text, offsets.get(best) ?? 0).line;
}

/** Where reading the text as JSON stops (its length when it stops short). */
function failureOffset(text: string): number {
  try {
    valueOffsets(text, '');
    return text.length;
  } catch (error) {
    return error instanceof JsonScanError ? error.offset : text.length;
  }
}

class JsonScanError extends SyntaxError {
  constructor(readonly offset: number) {
    super(`not JSON at ${offset}`);
  }
}

/** Every value's path in the text, with the offset where it is written. Throws on text that is not JSON. */
function valueOffsets(text: string, root: string): Map<string, number> {
  const offsets = new Map<string, number>();
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at] ?? '')) at++;
  };
  const expect = (char: string) => {
    if (text[at] !== char) throw new JsonScanError(at);
    at++;
  };
  const readString = (): string => {
    const start = at;
    expect('"');
    while (at < text.length && text[at] !== '"' && text[at] !== '\n') at += text[at] === '\\' ? 2 : 1;
    expect('"');
    try {
      return JSON.parse(text.slice(start, at)) as string;
    } catch {
      throw new JsonScanError(start);
    }
  };
  const readValue = (path: string, writtenAt: number): void => {
    skipSpace();
    offsets.set(path, writtenAt < 0 ? at : writtenAt);
    const char = text[at];
    if (char === '{') {
      at++;
      skipSpace();
      if (text[at] === '}') {
        at++;
        return;
      }
      for (;;) {
        skipSpace();
        const keyAt = at;
        const key = readString();
        skipSpace();
        expect(':');
        readValue(path ? `${path}.${key}` : key, keyAt);
        skipSpace();
        if (text[at] === ',') at++;
        else return expect('}');
      }
    }
    if (char === '[') {
      at++;
      skipSpace();
      if (text[at] === ']') {
        at++;
        return;
      }
      for (let index = 0; ; index++) {
        readValue(`${path}[${index}]`, -1);
        skipSpace();
        if (text[at] === ',') at++;
        else return expect(']');
      }
    }
    if (char === '"') {
      readString();
      return;
    }
    const scalar = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at));
    if (!scalar) throw new JsonScanError(at);
    at += scalar[0].length;
  };
  readValue(root, -1);
  skipSpace();
  if (at !== text.length) throw new JsonScanError(at);
  return offsets;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
