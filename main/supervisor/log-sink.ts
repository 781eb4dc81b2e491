// Where a server's stderr goes: a rotating file per server plus the last lines in memory for error messages.
// Appends are synchronous, one pipe chunk (at most 64 KiB) at a time: while a chunk is written nothing more is
// read from the pipe, so a server flooding stderr fills its pipe and waits, and our memory stays flat (T39).
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface LogSinkOptions {
  readonly dir: string;
  /** The file is `<dir>/<name>.log`. */
  readonly name: string;
  /** Rotate once the file reaches this size. */
  readonly maxBytes?: number;
  /** Rotated files kept: `<name>.log.1` (newest) to `<name>.log.<keep>`. */
  readonly keep?: number;
  /** Lines kept in memory. */
  readonly tailLines?: number;
  /** Longer lines are cut in memory (the file keeps them whole). */
  readonly maxLineBytes?: number;
  /** Masks secrets in each line before it reaches the file or the memory tail. */
  readonly redact?: (text: string) => string;
  /** Told of each completed line as the memory tail keeps it (redacted, cut), for live views. */
  readonly onLine?: (line: string) => void;
}

export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 3;
export const DEFAULT_TAIL_LINES = 200;
export const DEFAULT_MAX_LINE_BYTES = 2048;

const NEWLINE = 0x0a;
/** With redaction, a line is held until its newline so a secret is never split across two writes; past this it is written anyway. */
const MAX_HELD_BYTES = 64 * 1024;

export class LogSink {
  readonly path: string;
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  readonly #tailLines: number;
  readonly #maxLineBytes: number;
  #fd: number | null = null;
  #size = 0;
  #rotations = 0;
  #droppedBytes = 0;
  /** Ring of the last lines; `#seq` counts every line ever completed, so callers can ask for lines since a mark. */
  readonly #ring: string[] = [];
  /** Index of the oldest line once the ring is full. */
  #oldest = 0;
  #seq = 0;
  /** The start of the line being received, at most maxLineBytes of it. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  #partialCut = false;
  readonly #redact: ((text: string) => string) | null;
  readonly #onLine: ((line: string) => void) | null;
  /** Redacting sinks only: the end of the stream after its last newline, not yet in the file. */
  #held: Buffer = Buffer.alloc(0);

  constructor(options: LogSinkOptions) {
    this.#dir = options.dir;
    this.path = join(options.dir, `${options.name}.log`);
    this.#maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
    this.#keep = options.keep ?? DEFAULT_LOG_KEEP;
    this.#tailLines = options.tailLines ?? DEFAULT_TAIL_LINES;
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#redact = options.redact ?? null;
    this.#onLine = options.onLine ?? null;
  }

  /** Times the file was rotated since this sink was created. */
  get rotations(): number {
    return this.#rotations;
  }

  /** Bytes that could not be written to the file (a full disk); the in-memory tail still has the lines. */
  get droppedBytes(): number {
    return this.#droppedBytes;
  }

  /** A mark for `linesSince`: the number of lines completed so far. */
  get mark(): number {
    return this.#seq;
  }

  write(chunk: Buffer): void {
    if (this.#redact === null) this.#append(chunk);
    else this.#appendRedacted(chunk);
    this.#remember(chunk);
  }

  /** A line of our own in the file (e.g. "spawned pid 1234"), set apart from the server's output. */
  note(text: string): void {
    this.#flushHeld();
    const line = `[switchboard ${new Date().toISOString()}] ${text}\n`;
    this.#append(Buffer.from(this.#redact === null ? line : this.#redact(line)));
  }

  /** The last `n` lines (at most the ring's size), oldest first. */
  tail(n: number = this.#tailLines): string[] {
    return n <= 0 ? [] : this.#ordered().slice(-n);
  }

  /** The lines completed after `mark`, at most `n` of the newest, oldest first. */
  linesSince(mark: number, n: number): string[] {
    const available = Math.min(this.#seq - mark, this.#ring.length, Math.max(0, n));
    return available > 0 ? this.#ordered().slice(-available) : [];
  }

  /** Ends the line still open (a process exited without a final newline), so it is neither lost nor glued to the next. */
  endLine(): void {
    this.#flushHeld();
    if (this.#partialBytes === 0 && !this.#partialCut) return;
    this.#push(this.#partialText());
    this.#resetPartial();
  }

  close(): void {
    this.#flushHeld();
    if (this.#fd !== null) {
      try {
        closeSync(this.#fd);
      } catch {
        // Already closed or the disk went away; nothing left to do with it.
      }
      this.#fd = null;
    }
  }

  #append(chunk: Buffer): void {
    try {
      if (this.#fd === null) {
        mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
        this.#fd = openSync(this.path, 'a', 0o600);
        this.#size = statSync(this.path).size;
      }
      let offset = 0;
      while (offset < chunk.length) offset += writeSync(this.#fd, chunk, offset, chunk.length - offset);
      this.#size += chunk.length;
      if (this.#size >= this.#maxBytes) this.#rotate();
    } catch {
      // A full disk or a removed directory must not take the gateway down.
      this.#droppedBytes += chunk.length;
      this.close();
    }
  }

  /** Writes the complete lines of `chunk` (with what was held before) redacted, and holds the rest. */
  #appendRedacted(chunk: Buffer): void {
    const data = this.#held.length === 0 ? chunk : Buffer.concat([this.#held, chunk]);
    const last = data.lastIndexOf(NEWLINE);
    if (last < 0 && data.length <= MAX_HELD_BYTES) {
      this.#held = Buffer.from(data);
      return;
    }
    const cut = last < 0 ? data.length : last + 1;
    this.#held = Buffer.from(data.subarray(cut));
    this.#append(Buffer.from(this.#redact!(data.subarray(0, cut).toString('utf8'))));
  }

  #flushHeld(): void {
    if (this.#held.length === 0 || this.#redact === null) return;
    const held = this.#held;
    this.#held = Buffer.alloc(0);
    this.#append(Buffer.from(this.#redact(held.toString('utf8'))));
  }

  #rotate(): void {
    this.close();
    if (this.#keep <= 0) {
      rmSync(this.path, { force: true });
    } else {
      rmSync(`${this.path}.${this.#keep}`, { force: true });
      for (let i = this.#keep - 1; i >= 1; i--) {
        try {
          renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
        } catch {
          // That generation does not exist yet.
        }
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.#size = 0;
    this.#rotations++;
  }

  /**
   * Splits a chunk into lines for the ring. Only the newest `tailLines` lines of a chunk can stay in the ring, so
   * a large chunk is read from its end, and the lines before those are counted, never decoded.
   */
  #remember(chunk: Buffer): void {
    const first = chunk.indexOf(NEWLINE);
    if (first < 0) {
      this.#addPartial(chunk);
      return;
    }
    this.#addPartial(chunk.subarray(0, first));
    this.#push(this.#partialText());
    this.#resetPartial();
    const last = chunk.lastIndexOf(NEWLINE);
    const newest: string[] = [];
    let end = last;
    while (end > first && newest.length < this.#tailLines) {
      const start = chunk.lastIndexOf(NEWLINE, end - 1);
      newest.push(this.#decode(chunk.subarray(start + 1, end)));
      end = start;
    }
    let older = 0;
    for (let pos = chunk.indexOf(NEWLINE, first + 1); end > first && pos >= 0 && pos <= end;) {
      older++;
      pos = chunk.indexOf(NEWLINE, pos + 1);
    }
    this.#seq += older;
    for (let i = newest.length - 1; i >= 0; i--) this.#push(newest[i]!);
    this.#addPartial(chunk.subarray(last + 1));
  }

  #push(raw: string): void {
    if (this.#tailLines <= 0 && this.#onLine === null) {
      this.#seq++;
      return;
    }
    const line = this.#redact === null ? raw : this.#redact(raw);
    this.#onLine?.(line);
    if (this.#tailLines <= 0) {
      this.#seq++;
      return;
    }
    if (this.#ring.length < this.#tailLines) this.#ring.push(line);
    else {
      this.#ring[this.#oldest] = line;
      this.#oldest = (this.#oldest + 1) % this.#tailLines;
    }
    this.#seq++;
  }

  /** The ring's lines, oldest first. */
  #ordered(): string[] {
    return [...this.#ring.slice(this.#oldest), ...this.#ring.slice(0, this.#oldest)];
  }

  #addPartial(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const room = this.#maxLineBytes - this.#partialBytes;
    if (room <= 0) {
      this.#partialCut = true;
      return;
    }
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    if (kept.length < bytes.length) this.#partialCut = true;
    // Copied: the pipe's chunk must not stay alive because a few bytes of it are referenced here.
    this.#partial.push(Buffer.from(kept));
    this.#partialBytes += kept.length;
  }

  #partialText(): string {
    return this.#decode(Buffer.concat(this.#partial, this.#partialBytes)) + (this.#partialCut ? ' …[cut]' : '');
  }

  #resetPartial(): void {
    this.#partial = [];
    this.#partialBytes = 0;
    this.#partialCut = false;
  }

  #decode(bytes: Buffer): string {
    const cut = bytes.length > this.#maxLineBytes;
    const text = (cut ? bytes.subarray(0, this.#maxLineBytes) : bytes).toString('utf8').replace(/\r$/, '');
    return cut ? `${text} …[cut]` : text;
  }
}
