// Keeping the team document current: at start the cached document is verified again and enforced (offline start),
// then the endpoint is polled with If-None-Match and backoff. A fetched document is verified, held against the
// version floor, cached, then applied; anything refused leaves the last good document in force and raises an alert
// naming the reason. What is in force is one immutable `TeamStanding`, replaced whole, so a reader sees the old or
// the new, never a mix (T90).
import { EventEmitter } from 'node:events';
import type { Enrollment, TeamPaths } from './enrollment.ts';
import { MAX_DOCUMENT_BYTES, type FetchOutcome, type FetchRequest } from './fetch-document.ts';
import type { TeamDocument } from './document-schema.ts';
import { readCachedDocument, writeCachedDocument } from './policy-cache.ts';
import { nextPollDelay } from './sync-backoff.ts';
import type { AlertReason, TeamAlert } from './team-alerts.ts';
import { verifyDocument, type Verified } from './verify-document.ts';
import { compareToFloor, readFloor, writeFloor, type Floor } from './version-floor.ts';

/** What the team policy is now: a document in force (fresh or stale), or closed, with why. */
export type TeamStanding =
  | {
      readonly state: 'active' | 'stale';
      readonly document: TeamDocument;
      readonly digest: string;
      /** Stale with `onExpiry: "deny"`: every call is refused until a fresh document arrives. */
      readonly enforced: 'document' | 'closed';
    }
  | { readonly state: 'pending' | 'refused'; readonly reason: string };

export type StandingInForce = Extract<TeamStanding, { readonly document: TeamDocument }>;

/** The standing when a document is in force (fresh or stale); null while pending or refused. */
export function inForce(standing: TeamStanding): StandingInForce | null {
  return 'document' in standing ? standing : null;
}

export type SyncResult =
  | { readonly outcome: 'applied'; readonly version: number }
  | { readonly outcome: 'unchanged'; readonly version: number | null }
  | { readonly outcome: 'rejected'; readonly reason: AlertReason; readonly message: string };

export interface SyncStatus {
  readonly standing: TeamStanding;
  readonly lastSync: { readonly at: string; readonly result: SyncResult } | null;
  readonly nextSyncAt: string | null;
  readonly failures: number;
}

export type TeamSyncEvents = {
  standing: [TeamStanding];
  alert: [TeamAlert];
  applied: [TeamDocument, number | null, boolean];
};

export interface TeamSyncOptions {
  readonly paths: TeamPaths;
  readonly enrollment: Enrollment;
  readonly fetch: (request: FetchRequest) => Promise<FetchOutcome>;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** setTimeout's longest delay; an expiry further away is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class TeamPolicySync extends EventEmitter<TeamSyncEvents> {
  readonly #paths: TeamPaths;
  readonly #enrollment: Enrollment;
  readonly #fetch: (request: FetchRequest) => Promise<FetchOutcome>;
  readonly #now: () => number;
  readonly #random: () => number;
  #standing: TeamStanding = { state: 'pending', reason: 'no team document has been received yet' };
  #floor: Floor | null = null;
  #etag: string | null = null;
  #failures = 0;
  #lastSync: SyncStatus['lastSync'] = null;
  #pollTimer: NodeJS.Timeout | null = null;
  #expiryTimer: NodeJS.Timeout | null = null;
  #nextSyncAt: number | null = null;
  #running: Promise<SyncResult> | null = null;
  #stopped = false;

  constructor(options: TeamSyncOptions) {
    super();
    this.#paths = options.paths;
    this.#enrollment = options.enrollment;
    this.#fetch = options.fetch;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  get standing(): TeamStanding {
    return this.#standing;
  }

  get enrollment(): Enrollment {
    return this.#enrollment;
  }

  status(): SyncStatus {
    return {
      standing: this.#standing,
      lastSync: this.#lastSync,
      nextSyncAt: this.#nextSyncAt === null ? null : new Date(this.#nextSyncAt).toISOString(),
      failures: this.#failures,
    };
  }

  /** Loads the cached document (verified again), then polls: at once, and on schedule after. */
  async start(options: { poll: boolean } = { poll: true }): Promise<void> {
    await this.#loadCache();
    if (options.poll) this.#schedule(0);
  }

  /** One sync now (`policy sync`); a sync already running is joined. Resets the backoff when it succeeds. */
  syncNow(): Promise<SyncResult> {
    this.#running ??= this.#sync().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#pollTimer !== null) clearTimeout(this.#pollTimer);
    if (this.#expiryTimer !== null) clearTimeout(this.#expiryTimer);
    this.#nextSyncAt = null;
  }

  async #loadCache(): Promise<void> {
    const floor = await readFloor(this.#paths.floor);
    if (!floor.ok) this.#alert('cache', `${floor.error}; it is started again from the cached document`);
    this.#floor = floor.ok ? floor.floor : null;
    const cached = await readCachedDocument(this.#paths.cache, MAX_DOCUMENT_BYTES);
    if (!cached.ok) return this.#refuseCache(cached.error);
    if (cached.jws === null) {
      if (this.#floor !== null) {
        this.#refuseCache(`the cached document is missing while version ${this.#floor.version} was applied`);
      }
      return;
    }
    const verified = await verifyDocument(cached.jws, this.#enrollment);
    if (!verified.ok) return this.#refuseCache(`the cached document is refused: ${verified.message}`);
    const check = compareToFloor(this.#floor, verified.document.version, verified.digest);
    if (check === 'older' || check === 'same-version-different') {
      return this.#refuseCache(
        `the cached document (version ${verified.document.version}) is not the one applied last (version ${this.#floor!.version})`,
      );
    }
    if (check === 'newer') await this.#raiseFloor(verified.document.version, verified.digest);
    this.#enforce(verified.document, verified.digest);
    this.emit('applied', verified.document, null, true);
  }

  #refuseCache(message: string): void {
    this.#setStanding({ state: 'refused', reason: message });
    this.#alert(
      'cache',
      `${message}; every call is refused until a valid document is synced (switchboard policy sync)`,
    );
  }

  async #sync(): Promise<SyncResult> {
    const fetched = await this.#fetch({
      url: this.#enrollment.url,
      etag: this.#etag,
      timeoutMs: this.#enrollment.timeoutMs,
    });
    let result: SyncResult;
    try {
      result = await this.#take(fetched);
    } catch (error) {
      result = this.#rejected(
        'cache',
        `the document could not be stored in ${this.#paths.dir}: ${(error as Error).message}`,
      );
    }
    this.#lastSync = { at: new Date(this.#now()).toISOString(), result };
    this.#failures = result.outcome === 'rejected' ? this.#failures + 1 : 0;
    this.#checkExpiry();
    return result;
  }

  async #take(fetched: FetchOutcome): Promise<SyncResult> {
    const current = this.#currentVersion();
    if (fetched.kind === 'not-modified') return { outcome: 'unchanged', version: current };
    if (fetched.kind === 'failed') return this.#rejected('endpoint', fetched.message);
    const verified: Verified = await verifyDocument(fetched.text, this.#enrollment);
    if (!verified.ok) return this.#rejected(verified.reason, verified.message);
    const { document, digest } = verified;
    const check = compareToFloor(this.#floor, document.version, digest);
    if (check === 'older') {
      return this.#rejected(
        'rollback',
        `version ${document.version} is older than version ${this.#floor!.version}, already applied`,
      );
    }
    if (check === 'same-version-different') {
      return this.#rejected(
        'same-version',
        `version ${document.version} was already applied with different content; a changed policy needs a higher version`,
      );
    }
    // Only a document that passed every check may stand for "not modified" next time.
    this.#etag = fetched.etag;
    if (check === 'same') {
      // The cache may have been refused at start although the feed still serves the applied version.
      if (this.#standing.state === 'refused' || this.#standing.state === 'pending') {
        await writeCachedDocument(this.#paths.cache, fetched.text);
        this.#enforce(document, digest);
      }
      return { outcome: 'unchanged', version: document.version };
    }
    // The cache is written before the floor: a crash between them leaves a cache newer than the floor, which the
    // next start accepts; the other order would leave a cache the floor refuses.
    await writeCachedDocument(this.#paths.cache, fetched.text);
    await this.#raiseFloor(document.version, digest);
    this.#enforce(document, digest);
    this.emit('applied', document, current, false);
    return { outcome: 'applied', version: document.version };
  }

  #rejected(reason: AlertReason, message: string): SyncResult {
    const kept = this.#currentVersion();
    const keeps = kept === null ? 'no team document is in force' : `version ${kept} stays in force`;
    this.#alert(reason, `the team document was not applied: ${message}; ${keeps}`);
    return { outcome: 'rejected', reason, message };
  }

  async #raiseFloor(version: number, digest: string): Promise<void> {
    this.#floor = { version, digest };
    await writeFloor(this.#paths.floor, this.#floor);
  }

  #enforce(document: TeamDocument, digest: string): void {
    const stale = Date.parse(document.expiresAt) <= this.#now();
    this.#setStanding({
      state: stale ? 'stale' : 'active',
      document,
      digest,
      enforced: stale && document.onExpiry === 'deny' ? 'closed' : 'document',
    });
    if (stale) this.#alertStale(document);
    this.#watchExpiry();
  }

  #checkExpiry(): void {
    const s = this.#standing;
    if (s.state !== 'active') return;
    if (Date.parse(s.document.expiresAt) <= this.#now()) this.#enforce(s.document, s.digest);
    else if (this.#expiryTimer === null) this.#watchExpiry();
  }

  #watchExpiry(): void {
    if (this.#expiryTimer !== null) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = null;
    const s = this.#standing;
    if (s.state !== 'active' || this.#stopped) return;
    const delay = Math.min(Math.max(Date.parse(s.document.expiresAt) - this.#now(), 0) + 1, MAX_TIMER_MS);
    this.#expiryTimer = setTimeout(() => {
      this.#expiryTimer = null;
      this.#checkExpiry();
    }, delay);
    this.#expiryTimer.unref();
  }

  #alertStale(document: TeamDocument): void {
    const mode =
      document.onExpiry === 'deny'
        ? 'every call is refused until a fresh document arrives (onExpiry: "deny")'
        : 'it stays in force (onExpiry: "keep")';
    this.#alert('stale', `policy stale: version ${document.version} expired at ${document.expiresAt}; ${mode}`);
  }

  #currentVersion(): number | null {
    return inForce(this.#standing)?.document.version ?? null;
  }

  #setStanding(standing: TeamStanding): void {
    this.#standing = standing;
    this.emit('standing', standing);
  }

  #alert(reason: AlertReason, message: string): void {
    this.emit('alert', { reason, message, at: new Date(this.#now()).toISOString(), version: this.#currentVersion() });
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#pollTimer !== null) clearTimeout(this.#pollTimer);
    this.#nextSyncAt = this.#now() + delayMs;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = null;
      void this.syncNow()
        .catch(() => undefined)
        .finally(() => this.#schedule(nextPollDelay(this.#enrollment.pollMs, this.#failures, this.#random)));
    }, delayMs);
    this.#pollTimer.unref();
  }
}
