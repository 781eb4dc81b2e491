// Splits a byte stream into newline-delimited lines, the framing of MCP's stdio transport, with a bound on one
// line: a longer one is reported once (with its first bytes) and skipped to its end rather than buffered without
// bound. Used for the stdout of the servers we supervise and for the stdin of `switchboard bridge`.

const NEWLINE = 0x0a;
/** How much of a bad line is logged and quoted. */
export const PREVIEW_BYTES = 200;

/** The first bytes of a line as text, marked when cut. */
export function previewLine(line: Buffer): string {
  const text = line.subarray(0, PREVIEW_BYTES).toString('utf8');
  return line.length > PREVIEW_BYTES ? `${text}…` : text;
}

export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #onLine: (line: Buffer) => void;
  readonly #onTooLong: (head: Buffer) => void;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Inside a line that was already too long: skip to its end. */
  #discarding = false;

  /** `onLine` gets each line without its `\n` (a trailing `\r` is kept); `onTooLong` the start of an overlong one. */
  constructor(maxLineBytes: number, onLine: (line: Buffer) => void, onTooLong: (head: Buffer) => void) {
    this.#maxLineBytes = maxLineBytes;
    this.#onLine = onLine;
    this.#onTooLong = onTooLong;
  }

  push(chunk: Buffer): void {
    let start = 0;
    let newline: number;
    while ((newline = chunk.indexOf(NEWLINE, start)) >= 0) {
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      if (this.#discarding) {
        this.#discarding = false;
        continue;
      }
      if (this.#pendingBytes + piece.length > this.#maxLineBytes) {
        this.#tooLong(piece);
        this.#discarding = false;
        continue;
      }
      const line = this.#pendingBytes === 0 ? piece : Buffer.concat([...this.#pending, piece]);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#onLine(line);
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0 || this.#discarding) return;
    if (this.#pendingBytes + rest.length > this.#maxLineBytes) {
      this.#tooLong(rest);
      return;
    }
    this.#pending.push(rest);
    this.#pendingBytes += rest.length;
  }

  /** At the end of the stream: an unterminated last line is still a line. */
  end(): void {
    if (this.#pendingBytes > 0 && !this.#discarding) this.#onLine(Buffer.concat(this.#pending, this.#pendingBytes));
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  #tooLong(last: Buffer): void {
    const head = this.#pending.length > 0 ? Buffer.concat(this.#pending) : last;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#discarding = true;
    this.#onTooLong(head);
  }
}

export type JsonLine =
  | { readonly kind: 'blank' }
  | { readonly kind: 'not-json'; readonly line: Buffer; readonly reason: string }
  | { readonly kind: 'json'; readonly line: Buffer; readonly value: unknown };

/** One line read as JSON: a trailing `\r` dropped, and blank lines (which the framing allows) told apart. */
export function readJsonLine(raw: Buffer): JsonLine {
  const line = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, -1) : raw;
  const text = line.toString('utf8');
  if (text.trim() === '') return { kind: 'blank' };
  try {
    return { kind: 'json', line, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { kind: 'not-json', line, reason: (error as Error).message };
  }
}
