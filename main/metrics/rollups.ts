// One-minute rollups of requests, per server, tool and method, for charts: calls, errors and latency percentiles,
// kept seven days in the audit database (table `rollups`). A minute is written once it is over; percentiles come
// from that minute's latencies (a uniform sample of at most 2,000 when there are more).
import type Database from 'better-sqlite3';
import type { AuditEventInput } from '../audit/audit-event.ts';

export const ROLLUP_DAYS = 7;
const MINUTE_MS = 60_000;
const MAX_SAMPLES = 2_000;

export interface Rollup {
  readonly minute: number;
  readonly server: string;
  readonly tool: string;
  readonly method: string;
  readonly calls: number;
  readonly errors: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
}

interface Bucket {
  calls: number;
  errors: number;
  samples: number[];
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export class Rollups {
  readonly #db: Database.Database;
  readonly #random: () => number;
  /** minute → `server\0tool\0method` → bucket */
  readonly #open = new Map<number, Map<string, Bucket>>();

  constructor(db: Database.Database, random: () => number = Math.random) {
    this.#db = db;
    this.#random = random;
  }

  observe(event: AuditEventInput, at: number = event.ts ?? Date.now()): void {
    if (
      (event.kind !== 'request' && event.kind !== 'server-request') ||
      event.server === null ||
      event.server === undefined
    )
      return;
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    let buckets = this.#open.get(minute);
    if (buckets === undefined) this.#open.set(minute, (buckets = new Map()));
    const key = `${event.server}\0${event.target ?? ''}\0${event.method ?? ''}`;
    let bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, (bucket = { calls: 0, errors: 0, samples: [] }));
    bucket.calls += 1;
    if (event.outcome !== 'ok') bucket.errors += 1;
    if (event.durationMs !== null && event.durationMs !== undefined) {
      // Reservoir sampling keeps a uniform sample of the minute however many calls it had.
      if (bucket.samples.length < MAX_SAMPLES) bucket.samples.push(event.durationMs);
      else {
        const slot = Math.floor(this.#random() * bucket.calls);
        if (slot < MAX_SAMPLES) bucket.samples[slot] = event.durationMs;
      }
    }
  }

  /** Writes every minute that ended before `now` and removes rollups older than seven days. */
  flush(now: number = Date.now()): number {
    const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const done = [...this.#open.keys()].filter((minute) => minute < current);
    let written = 0;
    const insert = this.#db.prepare(
      `INSERT INTO rollups (minute, server, tool, method, calls, errors, p50_ms, p95_ms, p99_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (minute, server, tool, method) DO UPDATE SET calls = calls + excluded.calls, errors = errors + excluded.errors,
         p50_ms = excluded.p50_ms, p95_ms = excluded.p95_ms, p99_ms = excluded.p99_ms`,
    );
    // IMMEDIATE: the audit writer thread commits on its own connection (see audit-retention.ts).
    this.#db
      .transaction(() => {
        for (const minute of done) {
          for (const r of this.#pending(minute)) {
            insert.run(r.minute, r.server, r.tool, r.method, r.calls, r.errors, r.p50Ms, r.p95Ms, r.p99Ms);
            written += 1;
          }
          this.#open.delete(minute);
        }
        this.#db.prepare('DELETE FROM rollups WHERE minute < ?').run(current - ROLLUP_DAYS * 24 * 60 * MINUTE_MS);
      })
      .immediate();
    return written;
  }

  /** The rollups of a minute still in memory, as they would be written now. */
  #pending(minute: number): Rollup[] {
    return [...(this.#open.get(minute) ?? [])].map(([key, bucket]) => {
      const [server, tool, method] = key.split('\0') as [string, string, string];
      const sorted = [...bucket.samples].sort((a, b) => a - b);
      return {
        minute,
        server,
        tool,
        method,
        calls: bucket.calls,
        errors: bucket.errors,
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        p99Ms: percentile(sorted, 99),
      };
    });
  }

  /**
   * Written rollups from `since`, then the minutes still in memory (the one in progress, and any not yet
   * written), so a chart shows a call within a second, not after its minute ends.
   */
  readLive(since: number, server?: string): Rollup[] {
    const written = this.read(since, server);
    const open = [...this.#open.keys()]
      .filter((minute) => minute >= since)
      .sort((a, b) => a - b)
      .flatMap((minute) => this.#pending(minute))
      .filter((r) => server === undefined || r.server === server);
    return [...written, ...open];
  }

  read(since: number, server?: string): Rollup[] {
    const rows = this.#db
      .prepare(
        `SELECT minute, server, tool, method, calls, errors, p50_ms AS p50Ms, p95_ms AS p95Ms, p99_ms AS p99Ms FROM rollups
         WHERE minute >= ? ${server === undefined ? '' : 'AND server = ?'} ORDER BY minute, server, tool, method`,
      )
      .all(...(server === undefined ? [since] : [since, server])) as Rollup[];
    return rows;
  }
}
