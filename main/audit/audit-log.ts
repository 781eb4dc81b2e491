// The audit trail's writer. Records are committed in batches: everything recorded in one turn of the event loop
// goes into one transaction, written on the next turn. `record` resolves once its record is committed, and callers
// that describe a response (a tool call's result) await it before the response is sent: so every answer a client
// received has its record in the database, even if the process is killed a moment later (T43). A batch is one
// transaction: after a crash it is there whole or not at all, and the chain goes on from the last record that is.
//
// If the database cannot be written (disk full, read-only), calls are not refused: the failure is logged and
// reported by `failure`, the records are kept in memory (up to a limit) and written, still chained, once it can.
import type Database from 'better-sqlite3';
import { GENESIS_HASH, chainHash, chainValues, type ChainFields } from './audit-chain.ts';
import type { AuditEvent, AuditEventInput } from './audit-event.ts';
import { readHead, writeHead, type ChainHead } from './audit-head.ts';
import { boundedCopy } from './audit-fields.ts';
import { queryAudit, readEvent, type AuditPage, type AuditQuery } from './audit-query.ts';
import { AuditTextIndex } from './audit-text-index.ts';

/** Arguments and error details longer than this are cut, with a marker saying how much was left out. */
export const MAX_FIELD_CHARS = 8 * 1024;
/** Records kept in memory while the database cannot be written; older ones beyond this are dropped and counted. */
const MAX_UNWRITTEN = 100_000;
const HEAD_EVERY_MS = 1_000;
/** How long after a commit the text index catches up. */
const INDEX_DELAY_MS = 500;

export interface AuditLogOptions {
  /** Masks secrets in every text field as it is written. */
  readonly redact?: (text: string) => string;
  /** Where the chain head is kept outside the database; none in tests that do not need it. */
  readonly headPath?: string;
  /** Told when writing fails, and again when it works again. */
  readonly onWriteFailure?: (error: string | null) => void;
}

interface Pending {
  readonly input: AuditEventInput;
  readonly ts: number;
  readonly resolve: () => void;
}

/** JSON of a value, masked and cut at MAX_FIELD_CHARS with a marker; null for nothing. */
export function cappedJson(value: unknown, redact: (text: string) => string): string | null {
  if (value === undefined || value === null) return null;
  const text = redact(typeof value === 'string' ? value : (JSON.stringify(boundedCopy(value)) ?? String(value)));
  if (text.length <= MAX_FIELD_CHARS) return text;
  return `${text.slice(0, MAX_FIELD_CHARS)}…[cut: ${text.length - MAX_FIELD_CHARS} more characters]`;
}

export class AuditLog {
  readonly #db: Database.Database;
  readonly #redact: (text: string) => string;
  readonly #options: AuditLogOptions;
  readonly #insert: Database.Statement;
  readonly #text: AuditTextIndex;
  readonly #insertMany: (rows: unknown[][]) => void;
  #last: { id: number; hash: string };
  #anchor: { id: number; hash: string };
  #pending: Pending[] = [];
  #scheduled = false;
  #closed = false;
  #failure: string | null = null;
  #dropped = 0;
  #headTimer: NodeJS.Timeout | null = null;
  #headDirty = false;
  #indexing = false;
  readonly #listeners: ((input: AuditEventInput) => void)[] = [];

  constructor(db: Database.Database, options: AuditLogOptions = {}) {
    this.#db = db;
    this.#options = options;
    this.#redact = options.redact ?? ((text) => text);
    // Positional parameters: binding by name costs a lookup per column per row, on the path every call waits on.
    this.#text = new AuditTextIndex(db);
    this.#insert = db.prepare(`INSERT INTO audit VALUES (${Array.from({ length: 21 }, () => '?').join(', ')})`);
    this.#insertMany = db.transaction((rows: unknown[][]) => {
      for (const row of rows) this.#insert.run(row);
    });
    const last = db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as
      { id: number; hash: string } | undefined;
    const anchor = db.prepare("SELECT value FROM audit_meta WHERE key = 'anchor'").get() as
      { value: string } | undefined;
    this.#anchor =
      anchor === undefined ? { id: 0, hash: GENESIS_HASH } : (JSON.parse(anchor.value) as { id: number; hash: string });
    this.#last = last ?? { id: this.#anchor.id, hash: this.#anchor.hash };
    // A head ahead of the database means its newest records were cut off (or an older copy was put back). New
    // records continue after the head's id, so the gap stays visible to verify instead of being written over.
    const head = options.headPath === undefined ? null : readHead(options.headPath);
    if (head !== null && head.lastId > this.#last.id) {
      this.missingAtOpen = { fromId: this.#last.id + 1, toId: head.lastId };
      this.#last = { id: head.lastId, hash: this.#last.hash };
    }
    this.#headDirty = true;
  }

  /** Records the head file knew of but the database did not have when it was opened, if any. */
  readonly missingAtOpen: { readonly fromId: number; readonly toId: number } | null = null;

  /** Why the database cannot be written right now, or null while it can. */
  get failure(): string | null {
    return this.#failure;
  }

  /** Records dropped because the database could not be written for too long. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Hears every record as it is recorded (metrics count requests from here). */
  subscribe(listener: (input: AuditEventInput) => void): void {
    this.#listeners.push(listener);
  }

  /** Queues a record; resolves once it is committed (or, if the database cannot be written, once it is queued). */
  record(input: AuditEventInput): Promise<void> {
    if (this.#closed) return Promise.resolve();
    for (const listener of this.#listeners) listener(input);
    return new Promise((resolve) => {
      this.#pending.push({ input, ts: input.ts ?? Date.now(), resolve });
      if (this.#pending.length > MAX_UNWRITTEN) {
        this.#pending.shift()!.resolve();
        this.#dropped += 1;
      }
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued, in one transaction. */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0 || this.#closed) return;
    const batch = this.#pending;
    let { id, hash } = this.#last;
    const rows = batch.map(({ input, ts }) => {
      id += 1;
      const fields: ChainFields = {
        id,
        ts,
        kind: input.kind,
        method: input.method ?? null,
        outcome: input.outcome,
        client: input.client ?? null,
        server: input.server ?? null,
        target: input.target ?? null,
        arguments: cappedJson(input.arguments, this.#redact),
        decision: input.decision ?? null,
        rule: input.rule ?? null,
        durationMs: input.durationMs ?? null,
        requestBytes: input.requestBytes ?? null,
        responseBytes: input.responseBytes ?? null,
        error: input.error === undefined || input.error === null ? null : this.#redact(input.error),
        errorDetail: cappedJson(input.errorDetail, this.#redact),
        protocolVersion: input.protocolVersion ?? null,
        sessionId: input.sessionId ?? null,
        detail: input.detail === undefined || input.detail === null ? null : this.#redact(JSON.stringify(input.detail)),
      };
      const prevHash = hash;
      hash = chainHash(prevHash, fields);
      return [...chainValues(fields), prevHash, hash];
    });
    try {
      this.#insertMany(rows);
    } catch (error) {
      // Kept, to be chained and written with the next batch once writing works again.
      this.#setFailure(`the audit log cannot be written: ${(error as Error).message}`);
      for (const item of batch) item.resolve();
      this.#pending = batch.map((item) => ({ ...item, resolve: () => {} }));
      if (!this.#scheduled) {
        this.#scheduled = true;
        setTimeout(() => this.flush(), 1_000).unref();
      }
      return;
    }
    this.#pending = [];
    this.#last = { id, hash };
    this.#setFailure(null);
    for (const item of batch) item.resolve();
    this.#headDirty = true;
    this.#scheduleHead();
    this.#scheduleIndexing();
  }

  /**
   * Fills the text index a moment after writes, then a slice per turn while it lags, yielding to calls in
   * between: indexing in slices of hundreds costs far less per record than indexing each commit's few.
   */
  #scheduleIndexing(delayMs = INDEX_DELAY_MS): void {
    if (this.#indexing || this.#closed) return;
    this.#indexing = true;
    const run = (): void => {
      this.#indexing = false;
      if (this.#closed) return;
      try {
        if (this.#text.slice() > 0) this.#scheduleIndexing(0);
      } catch {
        // Busy or full: the next commit tries again, and a text query catches up before it reads.
      }
    };
    if (delayMs === 0) setImmediate(run);
    else setTimeout(run, delayMs).unref();
  }

  /** The text index of this connection (retention removes from it). */
  get textIndex(): AuditTextIndex {
    return this.#text;
  }

  query(q: AuditQuery = {}): AuditPage {
    this.flush();
    if (q.text !== undefined) this.#text.catchUp();
    return queryAudit(this.#db, q);
  }

  get(id: number): AuditEvent | null {
    this.flush();
    return readEvent(this.#db, id);
  }

  /** The chain's ends as they are now, for the head file and for verify. */
  head(): ChainHead {
    return {
      lastId: this.#last.id,
      lastHash: this.#last.hash,
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
    this.flush();
    this.#closed = true;
    if (this.#headTimer !== null) clearTimeout(this.#headTimer);
    this.#writeHead();
    this.#db.close();
  }

  #setFailure(failure: string | null): void {
    if (failure === this.#failure) return;
    this.#failure = failure;
    this.#options.onWriteFailure?.(failure);
  }

  #scheduleHead(): void {
    if (this.#headTimer !== null || this.#options.headPath === undefined) return;
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
