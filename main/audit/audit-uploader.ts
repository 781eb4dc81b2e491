// Sends the audit trail to a team's collector: batches of records in id order, each acknowledged batch moving a
// cursor kept on disk, so every record reaches the receiver at least once, across failures and restarts, and a
// receiver that keys on each record's uid holds it exactly once (upload-wire.ts, docs/audit.md).
//
// One batch is in flight at a time. A 2xx moves the cursor past the batch; a receiver that is down, slow, busy or
// failing gets the same records again after a capped, jittered backoff (or its Retry-After); an answer that says
// the setup is wrong (401, 404, a redirect, an address the policy refuses) stops the upload until its settings
// change, since retrying would only repeat it. Records wait in the local log meanwhile, and retention keeps them
// (core.ts). Nothing here runs on a call's path: records are read from the database after the writer thread
// stored them, a small batch at a time.
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import type { Logger } from '../log/logger.ts';
import type { FetchLike } from '../net/guarded-fetch.ts';
import type { AuditEvent } from './audit-event.ts';
import type { AuditLog } from './audit-log.ts';
import { ensureInstallId, type InstallIdResult } from './install-id.ts';
import { retryDelay } from './upload-backoff.ts';
import { hashAt, readBatch } from './upload-batch.ts';
import { readCursor, resumeAfter, writeCursor, type UploadCursor } from './upload-cursor.ts';
import { addressRefusal, networkReason, uploadFetch } from './upload-fetch.ts';
import type { UploadSource, UploadTarget } from './upload-target.ts';
import { judgeResponse, parseReceipt, uploadBatch, type UploadSourceInfo, type UploadVerdict } from './upload-wire.ts';

export interface UploadSettings {
  readonly batchSize: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** The host label sent with each batch; the machine's host name when absent. */
  readonly label?: string | undefined;
}

/** A token looked up in the vault: its value, or why not and whether asking again later may help. */
export type TokenLookup =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly error: string; readonly retry: boolean };

export type UploadStateName = 'off' | 'idle' | 'sending' | 'backoff' | 'stopped';

/** Where the upload stands, for `status` and the dashboard: plain data, never the token. */
export interface AuditUploadStatus {
  readonly state: UploadStateName;
  readonly target: string | null;
  readonly source: UploadSource | null;
  /** Records after the last acknowledged one, those not yet stored included (from ids: a gap counts as pending). */
  readonly pending: number;
  /** When a receiver last acknowledged a batch (ISO 8601), this run or an earlier one; null before the first. */
  readonly lastUploadAt: string | null;
  /** Why the last try failed, or why the upload stopped; null once a batch gets through. */
  readonly lastError: string | null;
  /** When the next try is due, while backing off. */
  readonly retryAt: string | null;
  /** Failed tries in a row. */
  readonly failures: number;
}

export interface AuditUploaderOptions {
  readonly audit: AuditLog;
  /** `audit.upload.json`: the cursor. */
  readonly cursorPath: string;
  /** `install-id`: this data directory's name among the team's. */
  readonly installIdPath: string;
  readonly version: string;
  readonly settings: UploadSettings;
  /** Reads the token from the vault and teaches the redactor its value. */
  readonly token: (secret: string) => Promise<TokenLookup>;
  /** Masks known secrets in what a receiver says before it reaches a log or the status. */
  readonly redact: (text: string) => string;
  readonly logger: Logger;
  /** Told when the upload stops, keeps failing (ALERT_AFTER tries in a row) or recovers after either. */
  readonly onAlert?: (status: AuditUploadStatus) => void;
  /** The connection to the endpoint; the address-policed fetch unless a test gives one. */
  readonly fetchFor?: (url: string) => FetchLike;
  readonly random?: () => number;
}

/** Failed tries in a row after which the failure is logged as an error and the dashboard told. */
export const ALERT_AFTER = 5;
/** How much of a receiver's answer is read, and how much of it a refusal quotes. */
const MAX_ANSWER_BYTES = 64 * 1024;
const QUOTED_CHARS = 200;

type Outcome = UploadVerdict | { readonly kind: 'aborted' };

type State =
  | { readonly state: 'off' }
  | { readonly state: 'idle' }
  | { readonly state: 'sending' }
  | { readonly state: 'backoff'; readonly retryAt: number }
  | { readonly state: 'stopped' };

export class AuditUploader {
  readonly #options: AuditUploaderOptions;
  #settings: UploadSettings;
  #target: UploadTarget | null = null;
  #state: State = { state: 'off' };
  #cursor: UploadCursor | null = null;
  #lastUploadAt: string | null = null;
  #lastError: string | null = null;
  #failures = 0;
  #alerted = false;
  #run: AbortController | null = null;
  #loop: Promise<void> = Promise.resolve();
  #installId: Promise<InstallIdResult> | null = null;

  constructor(options: AuditUploaderOptions) {
    this.#options = options;
    this.#settings = options.settings;
  }

  /** Where to upload, or null to stop uploading; the same target again changes nothing unless it stopped. */
  setTarget(target: UploadTarget | null): void {
    const same =
      target !== null &&
      this.#target !== null &&
      target.url === this.#target.url &&
      target.tokenSecret === this.#target.tokenSecret;
    this.#target = target;
    if (same && this.#state.state !== 'stopped') return;
    this.#restart();
  }

  /** Batch size, pace and timeouts; they apply from the next batch. */
  setSettings(settings: UploadSettings): void {
    this.#settings = settings;
  }

  /** Tries again now, from the cursor: the token's secret got a new value, or someone fixed the receiver. */
  retry(): void {
    if (this.#target !== null) this.#restart();
  }

  /** Records after this id are not yet acknowledged; retention keeps them. Null while nothing is uploaded. */
  get unsentAfter(): number | null {
    return this.#target === null ? null : (this.#cursor?.lastId ?? 0);
  }

  status(): AuditUploadStatus {
    const target = this.#target;
    // From the newest id given, not the database's newest: a record still in the journal is pending too.
    const pending = target === null ? 0 : Math.max(0, this.#options.audit.lastId - (this.#cursor?.lastId ?? 0));
    return {
      state: this.#state.state,
      target: target?.url ?? null,
      source: target?.source ?? null,
      pending,
      lastUploadAt: this.#lastUploadAt,
      lastError: this.#lastError,
      retryAt: this.#state.state === 'backoff' ? new Date(this.#state.retryAt).toISOString() : null,
      failures: this.#failures,
    };
  }

  /** Stops uploading; a batch in flight is abandoned (and sent again after the next start). */
  async close(): Promise<void> {
    this.#run?.abort();
    this.#run = null;
    this.#target = null;
    this.#state = { state: 'off' };
    await this.#loop;
  }

  #restart(): void {
    this.#run?.abort();
    this.#run = null;
    this.#failures = 0;
    this.#lastError = null;
    this.#alerted = false;
    const target = this.#target;
    if (target === null) {
      this.#state = { state: 'off' };
      this.#cursor = null;
      return;
    }
    this.#cursor = this.#resume(target.url);
    const run = new AbortController();
    this.#run = run;
    this.#state = { state: 'idle' };
    const previous = this.#loop;
    this.#loop = previous
      .then(() => this.#upload(target, run.signal))
      .catch((error: unknown) => {
        // A fault of this code, not of the receiver: said once, and the records wait for the next start.
        this.#stop(`the audit upload failed: ${(error as Error).message}`);
      });
  }

  /** Where uploading to `url` goes on, from the cursor file and what the log holds now. */
  #resume(url: string): UploadCursor {
    const db = this.#options.audit.database;
    const saved = readCursor(this.#options.cursorPath);
    const resume = resumeAfter(saved, url, {
      hashAt: saved === null ? null : hashAt(db, saved.lastId),
      newestId: this.#options.audit.lastId,
    });
    if (resume.reason === 'log-restarted') {
      this.#options.logger.warn('the audit log was started afresh since the last upload; uploading it from the start', {
        target: url,
      });
    }
    this.#lastUploadAt = saved?.url === url ? (saved.at ?? null) : null;
    return resume.afterId === 0
      ? { url, lastId: 0, lastHash: '', at: this.#lastUploadAt }
      : { url, lastId: resume.afterId, lastHash: saved!.lastHash, at: this.#lastUploadAt };
  }

  async #upload(target: UploadTarget, signal: AbortSignal): Promise<void> {
    const installId = await (this.#installId ??= ensureInstallId(this.#options.installIdPath));
    if (signal.aborted) return;
    if (!installId.ok) return this.#stop(installId.error);
    const fetch = (this.#options.fetchFor ?? uploadFetch)(target.url);
    let token: string | null = null;
    while (!signal.aborted) {
      if (target.tokenSecret !== null && token === null) {
        const found = await this.#options.token(target.tokenSecret);
        if (signal.aborted) return;
        if (found.ok) token = found.token;
        else if (!found.retry) return this.#stop(found.error);
        else {
          await this.#failed(found.error, null, signal);
          continue;
        }
      }
      const events = readBatch(this.#options.audit.database, this.#cursor!.lastId, this.#settings.batchSize);
      if (events.length === 0) {
        this.#state = { state: 'idle' };
        await this.#pause(this.#settings.intervalMs, signal);
        continue;
      }
      this.#noticeGap(events[0]!.id);
      this.#state = { state: 'sending' };
      const outcome = await this.#send(fetch, target, token, installId.id, events, signal);
      // Restarted meanwhile: the cursor is the new run's now, and this batch is sent again from it.
      if (outcome.kind === 'aborted' || signal.aborted) return;
      if (outcome.kind === 'stop') return this.#stop(outcome.reason);
      if (outcome.kind === 'retry') {
        await this.#failed(outcome.reason, outcome.afterMs, signal);
        continue;
      }
      await this.#acknowledged(events[events.length - 1]!);
    }
  }

  async #send(
    fetch: FetchLike,
    target: UploadTarget,
    token: string | null,
    installId: string,
    events: readonly AuditEvent[],
    signal: AbortSignal,
  ): Promise<Outcome> {
    const source: UploadSourceInfo = {
      installId,
      host: this.#settings.label ?? hostname(),
      version: this.#options.version,
    };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': `switchboard/${this.#options.version}`,
    };
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    const timeout = AbortSignal.timeout(this.#settings.timeoutMs);
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(uploadBatch(source, events)),
        // A redirect is the receiver's address changing: said, not followed with the records and the token.
        redirect: 'manual',
        signal: AbortSignal.any([signal, timeout]),
      });
      const answer = await readAnswer(response);
      const quoted = this.#options.redact(answer.replace(/\s+/g, ' ').trim()).slice(0, QUOTED_CHARS);
      const verdict = judgeResponse(response.status, response.headers, quoted, Date.now());
      if (verdict.kind === 'ok') {
        const receipt = parseReceipt(answer);
        this.#options.logger.debug('audit records uploaded', {
          from: events[0]!.id,
          to: events[events.length - 1]!.id,
          stored: receipt.stored,
          duplicates: receipt.duplicates,
        });
      }
      return verdict;
    } catch (error) {
      if (signal.aborted) return { kind: 'aborted' };
      if (timeout.aborted) {
        return {
          kind: 'retry',
          reason: `the receiver did not answer within ${this.#settings.timeoutMs} ms`,
          afterMs: null,
        };
      }
      const refused = addressRefusal(error);
      if (refused !== null) return { kind: 'stop', reason: this.#options.redact(refused) };
      return {
        kind: 'retry',
        reason: `cannot reach ${new URL(target.url).origin}: ${this.#options.redact(networkReason(error))}`,
        afterMs: null,
      };
    }
  }

  /** The receiver holds the batch: the cursor moves past it, on disk first when it can. */
  async #acknowledged(last: AuditEvent): Promise<void> {
    const at = new Date().toISOString();
    this.#cursor = { url: this.#cursor!.url, lastId: last.id, lastHash: last.hash, at };
    this.#lastUploadAt = at;
    if (this.#alerted) {
      this.#options.logger.info('audit upload works again', { target: this.#cursor.url });
      this.#alerted = false;
      this.#failures = 0;
      this.#lastError = null;
      this.#options.onAlert?.(this.status());
    }
    this.#failures = 0;
    this.#lastError = null;
    try {
      await writeCursor(this.#options.cursorPath, this.#cursor);
    } catch (error) {
      // Kept in memory for this run; after a restart the receiver gets these records again, and ignores them.
      this.#options.logger.warn('the audit upload cursor could not be saved', { error: (error as Error).message });
    }
  }

  async #failed(reason: string, afterMs: number | null, signal: AbortSignal): Promise<void> {
    this.#failures += 1;
    this.#lastError = reason;
    const delay = retryDelay(this.#failures, this.#settings, afterMs, this.#options.random);
    this.#state = { state: 'backoff', retryAt: Date.now() + delay };
    if (this.#failures === ALERT_AFTER) {
      this.#alerted = true;
      this.#options.logger.error('audit upload keeps failing; records wait in the local log and are sent later', {
        target: this.#target?.url,
        failures: this.#failures,
        error: reason,
      });
      this.#options.onAlert?.(this.status());
    } else {
      this.#options.logger.warn('audit upload failed; trying again', { error: reason, retryInMs: delay });
    }
    await this.#pause(delay, signal);
  }

  #stop(reason: string): void {
    this.#state = { state: 'stopped' };
    this.#lastError = reason;
    this.#alerted = true;
    this.#options.logger.error('audit upload stopped; fix the setting it names, then edit config.json or restart', {
      target: this.#target?.url,
      error: reason,
    });
    this.#options.onAlert?.(this.status());
  }

  /** Records between the cursor and the next one to send are gone: retention's cap removed them unsent. */
  #noticeGap(nextId: number): void {
    const after = this.#cursor!.lastId;
    if (after === 0 || nextId <= after + 1 || this.#failures > 0) return;
    this.#options.logger.error('audit records were removed before they were uploaded', {
      fromId: after + 1,
      toId: nextId - 1,
      hint: 'retention (audit.maxRows) removes the oldest records even when they are not uploaded',
    });
  }

  async #pause(ms: number, signal: AbortSignal): Promise<void> {
    try {
      await sleep(ms, undefined, { signal, ref: false });
    } catch {
      // Aborted: a new target, a retry or close.
    }
  }
}

/** The receiver's answer as text, at most MAX_ANSWER_BYTES of it. */
async function readAnswer(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}
