// The audit journal: an append-only file of chained records, one JSON line each, beside the database. A record is
// in the journal before the answer it describes is sent; the database takes it a moment later, in large
// transactions off the event loop (audit-writer.ts). Appending a line is one write(2) into the page cache, so a
// call pays microseconds for durability against a killed process, instead of a database commit.
//
// A line is the row exactly as the `audit` table stores it (the chain's columns, then prev_hash and hash). The
// journal is cut back to empty once the database holds everything in it; until then, opening the audit log
// replays it (INSERT OR IGNORE by id, so replaying twice changes nothing).
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
  append(text: string): void {
    const data = Buffer.from(text, 'utf8');
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

/** Whole lines between two byte offsets of the journal, parsed; `end` is where the last whole line ends. */
export function readJournalRows(fd: number, from: number, to: number): { rows: AuditRow[]; end: number } {
  if (to <= from) return { rows: [], end: from };
  const buffer = Buffer.allocUnsafe(to - from);
  let read = 0;
  while (read < buffer.length) {
    const n = readSync(fd, buffer, read, buffer.length - read, from + read);
    if (n === 0) break;
    read += n;
  }
  const last = buffer.lastIndexOf(0x0a, read - 1);
  if (last < 0) return { rows: [], end: from };
  const rows: AuditRow[] = [];
  for (const line of buffer.toString('utf8', 0, last).split('\n')) {
    // A line that does not parse was torn by a failed write and never acknowledged; it is skipped.
    try {
      const row = JSON.parse(line) as unknown;
      if (Array.isArray(row)) rows.push(row);
    } catch {
      continue;
    }
  }
  return { rows, end: from + last + 1 };
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
    const size = fstatSync(fd).size;
    // In steps, so a long journal (a writer that could not keep up before a crash) never sits in memory whole.
    for (let offset = 0; offset < size;) {
      const { rows, end } = readJournalRows(fd, offset, Math.min(size, offset + REPLAY_CHUNK_BYTES));
      if (end === offset) break;
      if (rows.length > 0) ingest(rows);
      count += rows.length;
      offset = end;
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
