// The team server: one HTTP listener over the team's PostgreSQL. It answers health at any time, refuses new work
// with 503 and Retry-After once it drains, lets the requests in flight finish (bounded), and closes the pool last,
// so a rolling restart loses no acknowledged batch and answers no batch it did not commit.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { replyJson } from '../gateway/http/http-reply.ts';
import type { VerifyKey } from '../team-policy/verify-document.ts';
import { IngestGate, type GateLimits } from './ingest-gate.ts';
import { routeOf, type RouteDeps, type TeamApi } from './team-routes.ts';
import { TeamMetrics } from './team-metrics.ts';
import { TeamSessions } from './team-sessions.ts';

export interface TeamServerOptions {
  readonly pool: pg.Pool;
  readonly key: VerifyKey;
  readonly host: string;
  readonly port: number;
  readonly teamApi?: TeamApi | undefined;
  readonly limits?: GateLimits;
  readonly log?: (message: string) => void;
  /** How long a drain waits for requests in flight before it closes their connections. */
  readonly drainMs?: number;
}

export class TeamServer {
  readonly #options: TeamServerOptions;
  readonly #deps: RouteDeps;
  readonly #server: Server;
  #draining = false;
  #inFlight = 0;
  #idle: (() => void) | null = null;

  constructor(options: TeamServerOptions) {
    this.#options = options;
    this.#deps = {
      pool: options.pool,
      key: options.key,
      gate: new IngestGate(options.limits),
      metrics: new TeamMetrics(),
      sessions: new TeamSessions(),
      teamApi: options.teamApi,
      log: options.log ?? (() => undefined),
    };
    this.#server = createServer((req, res) => void this.#handle(req, res));
    // A sender that stalls mid-body loses its turn rather than holding it.
    this.#server.requestTimeout = 60_000;
    this.#server.headersTimeout = 20_000;
  }

  get metrics(): TeamMetrics {
    return this.#deps.metrics;
  }

  /** Batches being stored now, and waiting for a turn. */
  get ingestBusy(): { readonly active: number; readonly waiting: number } {
    return this.#deps.gate.busy;
  }

  /** Listens; resolves with the URL it answers on. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        const { address, port } = this.#server.address() as AddressInfo;
        resolve(`http://${address.includes(':') ? `[${address}]` : address}:${port}`);
      });
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#inFlight += 1;
    try {
      await this.#route(req, res);
    } catch (error) {
      this.#deps.log(`${req.method} ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) {
        replyJson(
          res,
          503,
          { error: 'the team database is not answering; try again shortly', reason: 'database' },
          { 'retry-after': '1' },
        );
      } else res.end();
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#idle?.();
    }
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://team.invalid');
    const method = req.method ?? 'GET';
    if (url.pathname === '/healthz') return replyJson(res, 200, { ok: true });
    if (this.#draining) {
      req.resume();
      this.#deps.metrics.refused(url.pathname === '/audit/ingest' ? '/audit/ingest' : 'any', 'draining');
      return replyJson(
        res,
        503,
        { error: 'the team server is shutting down; try again shortly', reason: 'draining' },
        { 'retry-after': '1', connection: 'close' },
      );
    }
    if (url.pathname === '/readyz') return this.#ready(res);
    const handler = routeOf(method, url.pathname);
    if (handler === null) {
      req.resume();
      return replyJson(res, 404, { error: `no route ${url.pathname}`, reason: 'not-found' });
    }
    if (handler === 'method') {
      req.resume();
      return replyJson(res, 405, { error: `${method} is not accepted on ${url.pathname}`, reason: 'method' });
    }
    await handler(req, res, url, this.#deps);
  }

  async #ready(res: ServerResponse): Promise<void> {
    try {
      await this.#options.pool.query('SELECT 1');
      replyJson(res, 200, { ok: true });
    } catch (error) {
      replyJson(res, 503, {
        error: `the team database is not answering: ${(error as Error).message}`,
        reason: 'database',
      });
    }
  }

  /**
   * Drains: the listener stays open so new requests (and a load balancer's /readyz) are told 503 with Retry-After
   * rather than finding a closed port; the requests in flight finish (at most `drainMs`); then the listener and
   * every connection close, and the pool last.
   */
  async stop(): Promise<void> {
    this.#draining = true;
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#options.drainMs ?? 10_000);
        this.#idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
    await this.#options.pool.end();
  }
}
