// The audit journal: an append-only file of chained records, one JSON line each, beside the database. A record is
// in the journal before the answer it describes is sent; the database takes it a moment later, in large
// transactions off the event loop (audit-writer.ts). Appending a line is one write(2) into the page cache, so a
// call pays microseconds for durability against a killed process, instead of a database commit.
//
// A line is the row exactly as the `audit` table stores it (the chain's columns, then prev_hash and hash). Each
// append (one turn's records) ends with a trailer line `#<count>`: a process killed in the middle of a write(2)
// can leave a prefix of it, and a chunk without its trailer is skipped whole, so a batch is in the log entirely
// or not at all (T78); its records were never acknowledged. The journal is cut back to empty once the database
// holds everything in it; until then, opening the audit log replays it (INSERT OR IGNORE by id, so replaying
// twice changes nothing).
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type Database from 'better-sqlite3';

/** How much of the journal is read and inserted at a time. */
export const REPLAY_CHUNK_BYTES = 4 * 1024 * 1024;

/** A row in the `audit` table's column order. */
export type AuditRow = readonly unknown[];

/** The journal beside a database file: `audit.db` keeps `audit.journal`. */
export function journalPathFor(dbPath: string): string {
  return join(dirname(dbPath), `${basename(dbPath, extname(dbPath))}.journal`);
}

export class AuditJournal {
  readonly path: string;
  readonly #fd: number;
  #size: number;
  /** Counts the times the journal was cut back to empty: a reader's byte offsets belong to one generation. */
  #generation = 0;

  constructor(path: string) {
    this.path = path;
    this.#fd = openSync(path, 'a', 0o600);
    this.#size = fstatSync(this.#fd).size;
  }

  get size(): number {
    return this.#size;
  }

  get generation(): number {
    return this.#generation;
  }

  /**
   * Appends whole lines with one write. A write that fails part-way is cut back off, so the journal never holds a
   * torn line followed by good ones; the caller keeps the records and tries again.
   */
  append(lines: string, count: number): void {
    const data = Buffer.from(`${lines}#${count}\n`, 'utf8');
    let written = 0;
    try {
      while (written < data.length) written += writeSync(this.#fd, data, written, data.length - written);
    } catch (error) {
      if (written > 0) {
        try {
          ftruncateSync(this.#fd, this.#size);
        } catch {
          // The torn tail stays; replay skips a line that does not parse and everything after it is re-appended.
        }
      }
      throw error;
    }
    this.#size += written;
  }

  /** Cuts the journal back to empty, once the database holds everything in it. */
  clear(): void {
    ftruncateSync(this.#fd, 0);
    this.#size = 0;
    this.#generation += 1;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * The complete chunks between two byte offsets of the journal, parsed; `end` is where the last complete chunk
 * ends (`from` when there is none, or the chunk is longer than the window).
 */
export function readJournalRows(fd: number, from: number, to: number): { rows: AuditRow[]; end: number } {
  if (to <= from) return { rows: [], end: from };
  const buffer = Buffer.allocUnsafe(to - from);
  let read = 0;
  while (read < buffer.length) {
    const n = readSync(fd, buffer, read, buffer.length - read, from + read);
    if (n === 0) break;
    read += n;
  }
  const rows: AuditRow[] = [];
  let chunk: AuditRow[] = [];
  let torn = false;
  let end = 0;
  for (let start = 0; start < read;) {
    const newline = buffer.indexOf(0x0a, start);
    if (newline < 0 || newline >= read) break;
    const line = buffer.toString('utf8', start, newline);
    start = newline + 1;
    if (line.startsWith('#')) {
      // A trailer closes its chunk; a chunk with a torn or missing line is dropped whole.
      if (!torn && chunk.length === Number(line.slice(1))) rows.push(...chunk);
      chunk = [];
      torn = false;
      end = start;
      continue;
    }
    try {
      const row = JSON.parse(line) as unknown;
      if (Array.isArray(row)) chunk.push(row);
      else torn = true;
    } catch {
      torn = true;
    }
  }
  return { rows, end: from + end };
}

/** Reads `[from, to)` a window at a time, widening the window for a chunk longer than it. */
export function* journalChunks(fd: number, from: number, to: number): Generator<AuditRow[], number> {
  let offset = from;
  let window = REPLAY_CHUNK_BYTES;
  while (offset < to) {
    const { rows, end } = readJournalRows(fd, offset, Math.min(to, offset + window));
    if (end === offset) {
      if (offset + window >= to) break;
      window *= 2;
      continue;
    }
    window = REPLAY_CHUNK_BYTES;
    offset = end;
    if (rows.length > 0) yield rows;
  }
  return offset;
}

/**
 * Inserts rows the database does not have yet, each call one transaction, and returns the highest id among them.
 * Prepared once per connection: preparing costs more than running.
 */
export function rowIngester(db: Database.Database): (rows: readonly AuditRow[]) => number {
  const insert = db.prepare(`INSERT OR IGNORE INTO audit VALUES (${Array.from({ length: 21 }, () => '?').join(', ')})`);
  return db.transaction((rows: readonly AuditRow[]): number => {
    let last = 0;
    for (const row of rows) {
      insert.run(row);
      last = Math.max(last, Number(row[0]));
    }
    return last;
  });
}

/**
 * Puts what the journal holds into the database, leaving records it already has as they are: on open, and for
 * the CLI, so a record whose answer was sent is in the log even while nothing runs to take the journal in.
 */
export function replayJournal(db: Database.Database, path: string): number {
  if (!journalHasRecords(path)) return 0;
  const ingest = rowIngester(db);
  const fd = openSync(path, 'r');
  let count = 0;
  try {
    // In steps, so a long journal (a writer that could not keep up before a crash) never sits in memory whole.
    for (const rows of journalChunks(fd, 0, fstatSync(fd).size)) {
      ingest(rows);
      count += rows.length;
    }
  } finally {
    closeSync(fd);
  }
  return count;
}

/** Whether the journal holds anything. */
export function journalHasRecords(path: string): boolean {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat !== undefined && stat.isFile() && stat.size > 0;
}
