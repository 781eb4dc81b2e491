// The audit journal: an append-only file of records, one JSON line each, in a folder beside the database. A record
// is in the journal before the answer it describes is sent; the database takes it a moment later, in large
// transactions off the event loop (audit-writer.ts). Appending a line is one write(2) into the page cache, so a call
// pays microseconds for durability against a killed process, instead of a database commit.
//
// A line is the JSON array of the record's chained values (the table's columns up to `detail`), exactly as
// `chainValues` orders them and JSON.stringify writes them: the chain's hash is taken over that text, so whoever
// moves the line into the database (the writer thread, or a replay) links it to the record before it there,
// and the event loop never hashes. A line may carry its two hashes after the values: lines written before the
// chain moved off the event loop, and a record that does not follow the database's newest one (the first after
// an open that found the database behind its head file), which links across the gap explicitly.
// A record made for a member (a shared gateway) has the member as one more value after `detail`, before any
// hashes: the line's length says which of the four shapes it has.
//
// Each append (one turn's records) ends with a trailer line `#<count>`: a process killed in the middle of a
// write(2) can leave a prefix of it, and a chunk without its trailer is skipped whole, so a batch is in the log
// entirely or not at all (T78); its records were never acknowledged. The journal is cut back to empty once the
// database holds everything in it; until then, opening the audit log replays it (records the database has are
// skipped by id, so replaying twice changes nothing).
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { GENESIS_HASH, chainHashOfJson } from './audit-chain.ts';

/** How much of the journal is read and inserted at a time. */
export const REPLAY_CHUNK_BYTES = 4 * 1024 * 1024;

/** A journal line as read: its values in the `audit` table's column order (with or without the hashes) and its text. */
export interface JournalRow {
  readonly values: readonly unknown[];
  readonly line: string;
}

/** The chained values of a record without a member: `id` to `detail`. */
const VALUES = 19;
/** Columns of the `audit` table: the chained values, then prev_hash, hash and member. */
const COLUMNS = 22;

/**
 * The journal of a database file: `audit.db` keeps `journal/audit.journal`. A folder of its own, because the data
 * directory is watched for edits to config.json and tokens.json: the journal is written after nearly every call,
 * and each write in a watched folder wakes the event loop once more to read the watcher's event.
 */
export function journalPathFor(dbPath: string): string {
  return join(dirname(dbPath), 'journal', `${basename(dbPath, extname(dbPath))}.journal`);
}

/** Where earlier versions kept the journal, beside the database file; replayed and removed when the log opens. */
export function formerJournalPathFor(dbPath: string): string {
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
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
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
export function readJournalRows(fd: number, from: number, to: number): { rows: JournalRow[]; end: number } {
  if (to <= from) return { rows: [], end: from };
  const buffer = Buffer.allocUnsafe(to - from);
  let read = 0;
  while (read < buffer.length) {
    const n = readSync(fd, buffer, read, buffer.length - read, from + read);
    if (n === 0) break;
    read += n;
  }
  const rows: JournalRow[] = [];
  let chunk: JournalRow[] = [];
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
      const values = JSON.parse(line) as unknown;
      if (Array.isArray(values)) chunk.push({ values, line });
      else torn = true;
    } catch {
      torn = true;
    }
  }
  return { rows, end: from + end };
}

/** Reads `[from, to)` a window at a time, widening the window for a chunk longer than it. */
export function* journalChunks(fd: number, from: number, to: number): Generator<JournalRow[], number> {
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

/** A record of the chain: the one the next record links to. */
export interface ChainEnd {
  readonly id: number;
  readonly hash: string;
}

/** What a run of journal rows does when a row's id is not one past the record before it. */
export type OnGap = 'link' | 'stop';

/**
 * Moves journal rows into the database, each call one transaction, and returns where the chain then ends and
 * whether every row was placed. Rows the database has (by id) are skipped. A row without its hashes is linked to
 * the record before it, read from the database inside the transaction, so concurrent replays (the CLI beside
 * serve) compute the same hashes and never insert one twice. A row whose id does not follow is linked across the
 * gap (`link`: the writer and the replay on open, where the journal is the log's own), or ends the run (`stop`:
 * a reader beside serve may have read the journal as serve cut it back, and leaves the rest to serve).
 * Prepared once per connection: preparing costs more than running.
 */
export function rowIngester(
  db: Database.Database,
  onGap: OnGap = 'link',
): (rows: readonly JournalRow[]) => { end: ChainEnd; placed: boolean } {
  const insert = db.prepare(`INSERT INTO audit VALUES (${Array.from({ length: COLUMNS }, () => '?').join(', ')})`);
  const newest = db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1');
  const anchor = db.prepare("SELECT value FROM audit_meta WHERE key = 'anchor'").pluck();
  const ingest = db.transaction((rows: readonly JournalRow[]) => {
    let end = (newest.get() as ChainEnd | undefined) ?? anchorOf(anchor.get() as string | undefined);
    for (const { values, line } of rows) {
      const id = Number(values[0]);
      if (id <= end.id) continue;
      const chained = values.slice(0, VALUES);
      // VALUES + 1 or + 3: a member follows `detail`; + 2 or + 3: the line carries its hashes at the end.
      const member = values.length === VALUES + 1 || values.length === VALUES + 3 ? values[VALUES] : null;
      if (values.length >= VALUES + 2) {
        const hash = String(values[values.length - 1]);
        insert.run(...chained, values[values.length - 2], hash, member);
        end = { id, hash };
        continue;
      }
      if (id !== end.id + 1 && onGap === 'stop') return { end, placed: false };
      const hash = chainHashOfJson(end.hash, line);
      insert.run(...chained, end.hash, hash, member);
      end = { id, hash };
    }
    return { end, placed: true };
  });
  // IMMEDIATE: the newest record is read under the write lock, so no other connection commits between that read
  // and the inserts linked to it.
  return (rows) => ingest.immediate(rows);
}

/** The retention anchor (the hash the oldest remaining record links to), or the genesis. */
function anchorOf(stored: string | undefined): ChainEnd {
  return stored === undefined ? { id: 0, hash: GENESIS_HASH } : (JSON.parse(stored) as ChainEnd);
}

/**
 * Puts what the journal holds into the database, leaving records it already has as they are: on open, and for
 * the CLI, so a record whose answer was sent is in the log even while nothing runs to take the journal in.
 */
export function replayJournal(db: Database.Database, path: string, onGap: OnGap = 'link'): number {
  if (!journalHasRecords(path)) return 0;
  const ingest = rowIngester(db, onGap);
  const fd = openSync(path, 'r');
  let count = 0;
  try {
    // In steps, so a long journal (a writer that could not keep up before a crash) never sits in memory whole.
    for (const rows of journalChunks(fd, 0, fstatSync(fd).size)) {
      const { placed } = ingest(rows);
      count += rows.length;
      if (!placed) break;
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
