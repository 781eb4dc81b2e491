// Finding where a JSON text goes wrong, in words a person editing it by hand can act on.
// JSON.parse gives a position for some errors only ("Unexpected token 'x', ... is not valid JSON" has none) and
// never names the usual slips (a trailing comma, a comment, single quotes), so this scanner walks the RFC 8259
// grammar itself and stops at the first error.

export interface JsonSyntaxError {
  /** Index into the text where the error is. */
  readonly offset: number;
  readonly message: string;
}

class ScanFailure {
  readonly error: JsonSyntaxError;
  constructor(offset: number, message: string) {
    this.error = { offset, message };
  }
}

const NUMBER_SOURCE = String.raw`-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?`;
const SIMPLE_ESCAPES = '"\\/bfnrt';

/** The first syntax error in `text`, or null when it is valid JSON (or too deeply nested to scan). */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let pos = 0;
  // Sticky, so it matches exactly at `pos`; made per call because a regex carries its position with it.
  const numberPattern = new RegExp(NUMBER_SOURCE, 'y');

  // A declaration, not an arrow, so the compiler knows code after a call is unreachable.
  function fail(offset: number, message: string): never {
    throw new ScanFailure(offset, message);
  }

  const found = (at: number): string => {
    const ch = text[at];
    if (ch === undefined) return 'the end of the file';
    if (ch === '"') return 'a double quote (")';
    if (ch === "'") return "a single quote (')";
    const word = /^[A-Za-z0-9_]+/.exec(text.slice(at, at + 40));
    return `'${word?.[0] ?? ch}'`;
  };

  const skipSpace = (): void => {
    while (pos < text.length) {
      const ch = text[pos];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') pos++;
      else if (ch === '/' && (text[pos + 1] === '/' || text[pos + 1] === '*'))
        fail(pos, 'comments are not allowed in JSON; remove this comment');
      else return;
    }
  };

  const string = (): void => {
    const start = pos;
    pos++;
    for (;;) {
      const ch = text[pos];
      if (ch === undefined) fail(start, 'this string is never closed; add the closing double quote (")');
      if (ch === '"') {
        pos++;
        return;
      }
      if (ch === '\\') {
        const escape = text[pos + 1] ?? '';
        if (escape !== '' && SIMPLE_ESCAPES.includes(escape)) pos += 2;
        else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) pos += 6;
        else fail(pos, `invalid escape "\\${escape}" in a string; write a backslash itself as "\\\\"`);
        continue;
      }
      if (ch === '\n' || ch === '\r') {
        fail(pos, 'a string cannot run over the end of a line; close it with " or write the line break as \\n');
      }
      if (ch.charCodeAt(0) < 0x20)
        fail(pos, 'control characters must be escaped inside strings (for a tab, write \\t)');
      pos++;
    }
  };

  const number = (): void => {
    numberPattern.lastIndex = pos;
    const match = numberPattern.exec(text);
    const end = match === null ? pos : pos + match[0].length;
    if (match === null || /[0-9A-Za-z.]/.test(text[end] ?? '')) {
      fail(pos, 'invalid number; JSON numbers are written like 42, -1, 0.5 or 1e3, without leading zeros');
    }
    pos = end;
  };

  const expectValue = (): never =>
    fail(
      pos,
      `expected a value (a "string", a number, true, false, null, an {object} or an [array]) but found ${found(pos)}`,
    );

  const literal = (word: string): void => {
    if (text.startsWith(word, pos) && !/[A-Za-z0-9_]/.test(text[pos + word.length] ?? '')) pos += word.length;
    else expectValue();
  };

  const container = (close: '}' | ']'): void => {
    const [noun, part] = close === '}' ? ['object', 'a property'] : ['array', 'an item'];
    const open = pos;
    pos++;
    skipSpace();
    if (text[pos] === close) {
      pos++;
      return;
    }
    for (;;) {
      if (close === '}') member();
      else value();
      skipSpace();
      const ch = text[pos];
      if (ch === close) {
        pos++;
        return;
      }
      if (ch === undefined) fail(open, `this ${noun} is never closed; add the closing '${close}'`);
      if (ch !== ',') {
        const hint = close === '}' && ch === '"' ? '; a comma is probably missing before this' : '';
        fail(pos, `expected ',' or '${close}' after ${part} in this ${noun} but found ${found(pos)}${hint}`);
      }
      const comma = pos;
      pos++;
      skipSpace();
      if (text[pos] === close)
        fail(comma, `a trailing comma before '${close}' is not allowed in JSON; remove this comma`);
    }
  };

  const member = (): void => {
    const ch = text[pos];
    if (ch === '"') string();
    else if (ch === "'") fail(pos, 'property names must be in double quotes ("), not single quotes');
    else if (ch !== undefined && /[A-Za-z_$]/.test(ch))
      fail(pos, 'property names must be in double quotes, like "name"');
    else if (ch === undefined) fail(pos, "the file ends inside an object; add the closing '}'");
    else fail(pos, `expected a property name in double quotes but found ${found(pos)}`);
    skipSpace();
    if (text[pos] !== ':') fail(pos, `expected ':' after the property name but found ${found(pos)}`);
    pos++;
    value();
  };

  const value = (): void => {
    skipSpace();
    const ch = text[pos];
    if (ch === '{') container('}');
    else if (ch === '[') container(']');
    else if (ch === '"') string();
    else if (ch === "'") fail(pos, 'strings must be in double quotes ("), not single quotes');
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) number();
    else if (ch === '+' || ch === '.') fail(pos, 'invalid number; JSON numbers start with a digit or "-"');
    else expectValue();
  };

  try {
    value();
    skipSpace();
    if (pos < text.length) fail(pos, 'unexpected text after the end of the JSON value; the file must hold one object');
    return null;
  } catch (caught) {
    if (caught instanceof ScanFailure) return caught.error;
    // A stack overflow on absurdly deep nesting: let the caller fall back to JSON.parse's own message.
    if (caught instanceof RangeError) return null;
    throw caught;
  }
}

/** 1-based line and column of an offset, counting columns in characters as editors do. */
export function lineColumn(text: string, offset: number): { readonly line: number; readonly column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
