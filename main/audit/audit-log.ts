// The audit trail's writer. A record is masked, capped and serialized as it is recorded; everything recorded in one
// turn of the event loop is given ids in order and appended to the journal (audit-journal.ts) with one write on
// the next turn, and `record` resolves once its record is in the journal. Callers that describe a response (a tool
// call's result) await it before the response is sent: so every answer a client received has its record on disk,
// and in the database after a restart, even if the process is killed a moment later (T43). The event loop does no
// more than that: the database takes the journal's records on a thread of its own (audit-writer.ts), chaining them
// (each hash over the journal line and the record before) in large transactions, and the text index follows;
// queries first wait until it has everything recorded so far.
//
// If the journal cannot be written (disk full), calls are not refused: the failure is logged and reported by
// `failure`, the records are kept in memory (up to a limit) and appended, still chained, once it can. If the
// database cannot be written, the journal keeps the records and the writer tries again every second.
import { rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { GENESIS_HASH, chainHashOfJson } from './audit-chain.ts';
import type { AuditEvent, AuditEventInput } from './audit-event.ts';
import { readHead, writeHead, type ChainHead } from './audit-head.ts';
import { boundedJson } from './audit-fields.ts';
import { AuditJournal, formerJournalPathFor, journalPathFor, replayJournal, type ChainEnd } from './audit-journal.ts';
import { queryAudit, readEvent, type AuditPage, type AuditQuery } from './audit-query.ts';
import { AuditTextIndex } from './audit-text-index.ts';
import { AuditWriter } from './audit-writer.ts';

/** Arguments and error details longer than this are cut, with a marker saying how much was left out. */
export const MAX_FIELD_CHARS = 8 * 1024;
/** Records kept in memory while the journal cannot be written; older ones beyond this are dropped and counted. */
const MAX_UNWRITTEN = 100_000;
const HEAD_EVERY_MS = 1_000;
const RETRY_MS = 1_000;
/** The journal is cut back once the database holds all of it and it has grown past this. */
const JOURNAL_CLEAR_BYTES = 1024 * 1024;
/** How long a query waits for the database to take in what was recorded before it. */
const QUERY_WAIT_MS = 5_000;
/** How long closing waits for the writer to take in the journal; what it has not is replayed on the next open. */
const CLOSE_WAIT_MS = 10_000;

export interface AuditLogOptions {
  /** Masks secrets in every text field before it is written anywhere. */
  readonly redact?: (text: string) => string;
  /** Where the chain head is kept outside the database; none in tests that do not need it. */
  readonly headPath?: string;
  /** The journal; `journalPathFor` the database file when not given (`audit.db` keeps `journal/audit.journal`). */
  readonly journalPath?: string;
  /** Told when writing fails, and again when it works again. */
  readonly onWriteFailure?: (error: string | null) => void;
}

/** What `record` returns once the log is closed. */
const RECORDED = Promise.resolve();

/** JSON of a value, masked and cut at MAX_FIELD_CHARS with a marker; null for nothing. */
export function cappedJson(value: unknown, redact: (text: string) => string): string | null {
  if (value === undefined || value === null) return null;
  const text = redact(typeof value === 'string' ? value : (boundedJson(value) ?? String(value)));
  if (text.length <= MAX_FIELD_CHARS) return text;
  return `${text.slice(0, MAX_FIELD_CHARS)}…[cut: ${text.length - MAX_FIELD_CHARS} more characters]`;
}

export class AuditLog {
  readonly #db: Database.Database;
  readonly #redact: (text: string) => string;
  readonly #options: AuditLogOptions;
  readonly #text: AuditTextIndex;
  readonly #journal: AuditJournal;
  readonly #writer: AuditWriter;
  /** The id of the last record given one: in the journal, or the database's newest (the head's, past a gap). */
  #lastId: number;
  /**
   * Where the first record must link when it does not follow the database's newest (the head file named records
   * the database lacks): that record is written with its hashes, so it links across the gap explicitly.
   */
  #link: ChainEnd | null = null;
  /** The chain's newest record in the database (or as the head file last named it, past a gap), for the head file. */
  #stored: ChainEnd;
  #anchor: ChainEnd;
  /** The id of the last record in the journal (or the database, before anything was recorded). */
  #journaled: number;
  /** Each record's line after its id (`,ts,…]`), masked and capped, waiting for this turn's append. */
  #pending: string[] = [];
  /** The promise the records of this turn share, resolved when their append is done. */
  #turn: PromiseWithResolvers<void> | null = null;
  #retry: NodeJS.Timeout | null = null;
  #closed = false;
  #journalFailure: string | null = null;
  #writerFailure: string | null = null;
  #reported: string | null = null;
  #dropped = 0;
  #headTimer: NodeJS.Timeout | null = null;
  #headDirty = false;
  readonly #listeners: ((input: AuditEventInput) => void)[] = [];

  constructor(db: Database.Database, options: AuditLogOptions = {}) {
    if (db.memory) throw new Error('the audit log needs a database file: its writer thread opens it by name');
    this.#db = db;
    this.#options = options;
    this.#redact = options.redact ?? ((text) => text);
    this.#text = new AuditTextIndex(db);
    const journalPath = options.journalPath ?? journalPathFor(db.name);
    // What the journals hold from before (a killed process, or a writer that could not finish) goes in first: the
    // one an earlier version left beside the database, removed once the database has it, then the log's own.
    const former = formerJournalPathFor(db.name);
    if (former !== journalPath) {
      replayJournal(db, former);
      rmSync(former, { force: true });
    }
    replayJournal(db, journalPath);
    this.#journal = new AuditJournal(journalPath);
    if (this.#journal.size > 0) this.#journal.clear();
    const last = db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as
      { id: number; hash: string } | undefined;
    const anchor = db.prepare("SELECT value FROM audit_meta WHERE key = 'anchor'").get() as
      { value: string } | undefined;
    this.#anchor =
      anchor === undefined ? { id: 0, hash: GENESIS_HASH } : (JSON.parse(anchor.value) as { id: number; hash: string });
    const end = last ?? { id: this.#anchor.id, hash: this.#anchor.hash };
    this.#lastId = end.id;
    this.#stored = end;
    this.#journaled = last?.id ?? 0;
    // A head ahead of the database means its newest records were cut off (or an older copy was put back). New
    // records continue after the head's id, so the gap stays visible to verify instead of being written over.
    const head = options.headPath === undefined ? null : readHead(options.headPath);
    if (head !== null && head.lastId > end.id) {
      this.missingAtOpen = { fromId: end.id + 1, toId: head.lastId };
      this.#lastId = head.lastId;
      this.#stored = { id: head.lastId, hash: end.hash };
      this.#link = end;
    }
    this.#headDirty = true;
    this.#writer = new AuditWriter({
      dbPath: db.name,
      journalPath,
      ingested: this.#journaled,
      indexed: this.#text.indexedUpTo(),
      onFailure: (error) => {
        this.#writerFailure = error;
        this.#report();
      },
      onIngested: (generation, offset, stored) => this.#ingested(generation, offset, stored),
    });
  }

  /** Records the head file knew of but the database did not have when it was opened, if any. */
  readonly missingAtOpen: { readonly fromId: number; readonly toId: number } | null = null;

  /** Why records cannot be written right now, or null while they can. */
  get failure(): string | null {
    return this.#journalFailure ?? this.#writerFailure;
  }

  /** Records dropped because the journal could not be written for too long. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Hears every record as it is recorded (metrics count requests from here). */
  subscribe(listener: (input: AuditEventInput) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Queues a record, masked and serialized now; resolves once it is in the journal (or, if that cannot be written,
   * once it is queued). All records of a turn share the promise.
   */
  record(input: AuditEventInput): Promise<void> {
    if (this.#closed) return RECORDED;
    for (const listener of this.#listeners) listener(input);
    this.#pending.push(this.#line(input));
    if (this.#pending.length > MAX_UNWRITTEN) {
      this.#pending.shift();
      this.#dropped += 1;
    }
    if (this.#turn === null) {
      this.#turn = Promise.withResolvers<void>();
      setImmediate(() => this.#commit());
    }
    return this.#turn.promise;
  }

  /**
   * A record's journal line after its id: the JSON of its chained values (`chainValues` order), masked and capped.
   * Built as an array and encoded in one call, which is quicker than a template of per-field encodings.
   */
  #line(input: AuditEventInput): string {
    const json = JSON.stringify([
      input.ts ?? Date.now(),
      input.kind,
      input.method ?? null,
      input.outcome,
      input.client ?? null,
      input.server ?? null,
      input.target ?? null,
      cappedJson(input.arguments, this.#redact),
      input.decision ?? null,
      input.rule ?? null,
      input.durationMs ?? null,
      input.requestBytes ?? null,
      input.responseBytes ?? null,
      input.error === undefined || input.error === null ? null : this.#redact(input.error),
      cappedJson(input.errorDetail, this.#redact),
      input.protocolVersion ?? null,
      input.sessionId ?? null,
      input.detail === undefined || input.detail === null ? null : this.#redact(JSON.stringify(input.detail)),
      // Only when set, as the chain hashes it (audit-chain.ts).
      ...(input.member === undefined || input.member === null ? [] : [input.member]),
    ]);
    return `,${json.slice(1)}`;
  }

  /** Writes everything queued to the journal, then waits (blocking, bounded) until the database holds it. */
  flush(): void {
    this.#commit();
    if (this.#journalFailure !== null) return;
    this.#writer.wake(this.#journal.generation, this.#journal.size);
    this.#writer.waitIngested(this.#journaled, QUERY_WAIT_MS);
  }

  /** Resolves once the database and its text index hold everything recorded so far. */
  async whenStored(): Promise<void> {
    this.#commit();
    this.#writer.wake(this.#journal.generation, this.#journal.size);
    await this.#writer.whenStored(this.#journaled);
  }

  /** Gives everything queued its ids and appends it to the journal with one write. */
  #commit(): void {
    const turn = this.#turn;
    this.#turn = null;
    if (this.#pending.length > 0 && !this.#closed) this.#append();
    turn?.resolve();
  }

  #append(): void {
    const batch = this.#pending;
    let id = this.#lastId;
    let lines = '';
    for (const line of batch) {
      id += 1;
      lines += `[${id}${line}\n`;
    }
    if (this.#link !== null) lines = this.#linked(lines, this.#link);
    try {
      this.#journal.append(lines, batch.length);
    } catch (error) {
      // Kept, to be given ids and written with the next batch once writing works again.
      this.#journalFailure = `the audit journal cannot be written: ${(error as Error).message}`;
      this.#report();
      this.#retry ??= setTimeout(() => {
        this.#retry = null;
        this.#commit();
      }, RETRY_MS).unref();
      return;
    }
    this.#pending = [];
    this.#lastId = id;
    this.#link = null;
    this.#journaled = id;
    this.#journalFailure = null;
    this.#report();
    this.#writer.wakeSoon(this.#journal.generation, this.#journal.size);
  }

  /** The lines with the first one carrying its hashes, linked to `link` (once, after an open past a gap). */
  #linked(lines: string, link: ChainEnd): string {
    const newline = lines.indexOf('\n');
    const first = lines.slice(0, newline);
    const hash = chainHashOfJson(link.hash, first);
    return `${first.slice(0, -1)},"${link.hash}","${hash}"]${lines.slice(newline)}`;
  }

  /**
   * The writer has everything up to `offset`, and the database's chain ends at `stored`: the head file follows,
   * and once that is all the journal holds, the journal can be cut back.
   */
  #ingested(generation: number, offset: number, stored: ChainEnd): void {
    if (this.#closed) return;
    this.#advance(stored);
    if (generation !== this.#journal.generation || offset !== this.#journal.size) return;
    if (offset < JOURNAL_CLEAR_BYTES) return;
    try {
      this.#journal.clear();
    } catch {
      // It stays as it is, and is replayed (to no effect) on the next open.
    }
  }

  #report(): void {
    const failure = this.failure;
    if (failure === this.#reported) return;
    this.#reported = failure;
    this.#options.onWriteFailure?.(failure);
  }

  /** The text index of this connection (retention removes from it). */
  get textIndex(): AuditTextIndex {
    return this.#text;
  }

  query(q: AuditQuery = {}): AuditPage {
    this.flush();
    // A text query must not miss a record: if the writer's index is far behind (a backlog), this thread catches up.
    if (q.text !== undefined && !this.#writer.waitIndexed(this.#journaled, QUERY_WAIT_MS)) this.#text.catchUp();
    return queryAudit(this.#db, q);
  }

  get(id: number): AuditEvent | null {
    this.flush();
    return readEvent(this.#db, id);
  }

  /**
   * The id of the newest record given one: in the journal (the writer may not have stored it yet), or past a gap the
   * head file named. Never behind the database's newest. Upload counts what is pending from here, so "nothing
   * pending" never comes while a record waits in the journal.
   */
  get lastId(): number {
    return this.#lastId;
  }

  /** The chain's ends as the database holds them now, for the head file and for verify. */
  head(): ChainHead {
    return {
      lastId: this.#stored.id,
      lastHash: this.#stored.hash,
      anchorId: this.#anchor.id,
      anchorHash: this.#anchor.hash,
    };
  }

  /** Moves the anchor after retention removed the records up to and including `id`. */
  reanchor(anchor: { id: number; hash: string }): void {
    this.#anchor = anchor;
    this.#headDirty = true;
    this.#scheduleHead();
  }

  get database(): Database.Database {
    return this.#db;
  }

  close(): void {
    if (this.#closed) return;
    this.#commit();
    this.#closed = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    if (this.#headTimer !== null) clearTimeout(this.#headTimer);
    const generation = this.#journal.generation;
    if (this.#writer.close(generation, this.#journal.size, this.#journaled, CLOSE_WAIT_MS)) {
      try {
        this.#journal.clear();
      } catch {
        // Replayed on the next open.
      }
    }
    this.#journal.close();
    // The writer's last word on the chain may still be on its way: the database itself says where it ends.
    const newest = this.#db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as
      ChainEnd | undefined;
    if (newest !== undefined) this.#advance(newest);
    this.#writeHead();
    this.#db.close();
  }

  /** The database's chain now ends at `stored`; a head past a gap stays until records follow it. */
  #advance(stored: ChainEnd): void {
    if (stored.id <= this.#stored.id) return;
    this.#stored = stored;
    this.#headDirty = true;
    this.#scheduleHead();
  }

  #scheduleHead(): void {
    if (this.#headTimer !== null || this.#closed || this.#options.headPath === undefined) return;
    this.#headTimer = setTimeout(() => {
      this.#headTimer = null;
      this.#writeHead();
    }, HEAD_EVERY_MS);
    this.#headTimer.unref();
  }

  #writeHead(): void {
    const path = this.#options.headPath;
    if (path === undefined || !this.#headDirty) return;
    try {
      writeHead(path, this.head());
      this.#headDirty = false;
    } catch {
      // A full disk: the head stays behind the database, which verify accepts.
    }
  }
}
