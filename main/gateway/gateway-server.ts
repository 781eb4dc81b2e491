// The gateway's HTTP listener: routes `/mcp`, `/mcp/<server>`, `/healthz`, `/readyz` and `/metrics`, answers everything else
// 404 (including OAuth discovery, T50), and shuts down in order: stop accepting, drain calls, close sessions.
import { refuseUpgrade, type DashboardEvents } from '../dashboard/dashboard-events.ts';
import { DashboardHttp } from '../dashboard/dashboard-http.ts';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import { isServing } from '../supervisor/server-state.ts';
import type { CallRouter } from './aggregate/call-router.ts';
import type { UpstreamDirectory } from './aggregate/upstream-directory.ts';
import { ConnectionCap } from './connection-cap.ts';
import { answerClientError } from './http/client-error.ts';
import { GatewayErrorCode, replyError, replyJson } from './http/http-reply.ts';
import type { McpEndpoint } from './http/mcp-endpoint.ts';
import { checkOrigin, isLoopbackHost, requestPath, type OriginPolicy } from './http/request-guards.ts';

/**
 * How long a client may take to send a request. Slow senders (slowloris, T15) hold a socket each, so both limits
 * are short for a loopback service; an open SSE response is not affected, since its request is complete.
 */
export interface HttpTimeouts {
  /** From the first byte of a request to the end of its headers. */
  readonly headersMs: number;
  /** From the first byte of a request to the end of its body. */
  readonly requestMs: number;
  /** An idle keep-alive connection is closed after this long. */
  readonly keepAliveMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 60_000, keepAliveMs: 30_000 };

export interface GatewayServerDeps {
  readonly config: GatewayConfig;
  readonly origins: OriginPolicy;
  readonly endpoint: McpEndpoint;
  readonly router: CallRouter;
  readonly directory: UpstreamDirectory;
  readonly logger: Logger;
  /** Defaults to DEFAULT_HTTP_TIMEOUTS; tests shorten them. */
  readonly timeouts?: HttpTimeouts;
  /** The dashboard's door (`/` and `/api/…`), behind the dashboard token; none in tests that need no dashboard. */
  readonly dashboard?: DashboardHttp;
  /** The dashboard's event stream, the one WebSocket the gateway takes. */
  readonly events?: DashboardEvents;
  /** Prometheus text at /metrics, for a request carrying a valid client token. */
  readonly metrics?: {
    readonly contentType: string;
    render(): Promise<string>;
    authorized(req: IncomingMessage): boolean;
  };
}

const SCOPED = /^\/mcp\/([a-z0-9-]{1,32})\/?$/;

export class GatewayServer {
  readonly #deps: GatewayServerDeps;
  readonly #http: HttpServer;
  /**
   * The gateway listens before the supervisor has been given its servers (so the URL can be printed early); until
   * then an empty server list would read as "every server running", and a probe would send traffic too soon.
   */
  #serversApplied = false;
  #sweeper: NodeJS.Timeout | null = null;

  constructor(deps: GatewayServerDeps) {
    this.#deps = deps;
    const timeouts = deps.timeouts ?? DEFAULT_HTTP_TIMEOUTS;
    const options = {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // Node looks for expired requests only this often (30 s by default), which would let a slow sender keep
      // its socket three times longer than headersTimeout says.
      connectionsCheckingInterval: Math.max(50, Math.min(500, Math.floor(timeouts.headersMs / 8))),
    };
    this.#http = createServer(options, (req, res) => {
      this.#route(req, res).catch((error: unknown) => {
        deps.logger.error('request failed', { path: requestPath(req), error: (error as Error).stack });
        replyError(res, 500, GatewayErrorCode.InternalError, 'Internal error in the gateway; see the gateway log');
      });
    });
    this.#http.keepAliveTimeout = timeouts.keepAliveMs;
    // Listens on the server's own events; nothing else needs to reach it.
    new ConnectionCap(this.#http, deps.config.maxConnections, deps.logger);
    this.#http.on('clientError', answerClientError);
    // Only the dashboard's event stream upgrades; any other upgrade is answered and closed.
    this.#http.on('upgrade', (req, socket, head) => {
      const path = requestPath(req);
      if (deps.events !== undefined) return deps.events.upgrade(req, socket, head, path);
      refuseUpgrade(socket, 404, 'Not Found');
    });
  }

  /** Listens and resolves with the bound URL of the aggregated endpoint. */
  async listen(): Promise<string> {
    const { host, port } = this.#deps.config;
    if (!isLoopbackHost(host)) {
      this.#deps.logger.warn('the gateway listens beyond loopback; put TLS in front of it', { host });
    }
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(port, host === '[::1]' ? '::1' : host, () => {
        this.#http.off('error', reject);
        resolve();
      });
    });
    const sweepEvery = Math.min(60_000, Math.max(1_000, Math.floor(this.#deps.config.sessionIdleMs / 4)));
    this.#sweeper = setInterval(() => this.#deps.endpoint.sweepIdle(Date.now()), sweepEvery);
    this.#sweeper.unref();
    return `${this.baseUrl}/mcp`;
  }

  /** The configured servers have been handed to the supervisor: `/readyz` may now judge them. */
  serversApplied(): void {
    this.#serversApplied = true;
  }

  get port(): number {
    return (this.#http.address() as AddressInfo).port;
  }

  get baseUrl(): string {
    const host = this.#deps.config.host;
    const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    return `http://${shown}:${this.port}`;
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = requestPath(req);
    if (path === '/mcp' || path === '/mcp/') return this.#deps.endpoint.handle(req, res, null);
    const scoped = SCOPED.exec(path);
    if (scoped) return this.#deps.endpoint.handle(req, res, scoped[1]!);
    if (path === '/healthz' || path === '/readyz') {
      const refused = checkOrigin(req, this.#deps.origins);
      if (refused) return replyError(res, refused.status, GatewayErrorCode.Refused, refused.message);
      return path === '/healthz' ? replyJson(res, 200, { status: 'ok' }) : this.#ready(res);
    }
    const metrics = this.#deps.metrics;
    if (path === '/metrics' && metrics !== undefined) {
      const refused = checkOrigin(req, this.#deps.origins);
      if (refused) return replyError(res, refused.status, GatewayErrorCode.Refused, refused.message);
      if (!metrics.authorized(req)) {
        return replyError(res, 401, GatewayErrorCode.Refused, 'Unauthorized: /metrics needs a client token', {
          headers: { 'www-authenticate': 'Bearer realm="switchboard"' },
        });
      }
      const body = await metrics.render();
      res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(body);
      return;
    }
    const dashboard = this.#deps.dashboard;
    if (dashboard !== undefined && DashboardHttp.serves(path)) {
      return dashboard.handle(req, res, new URL(req.url ?? '/', 'http://gateway'));
    }
    replyError(res, 404, GatewayErrorCode.InvalidRequest, `Not Found: ${path}`);
  }

  #ready(res: ServerResponse): void {
    // From the first moment of shutdown, so a load balancer stops sending before the listener goes away.
    if (this.#deps.endpoint.draining) {
      return replyJson(res, 503, { status: 'draining' }, { 'retry-after': '1', connection: 'close' });
    }
    const servers = this.#deps.directory
      .list()
      .filter((u) => u.enabled)
      // An idle on-demand server is ready: the first request that needs it starts it.
      .map((u) => ({ name: u.name, state: u.state.state, ready: isServing(u.state) || u.state.state === 'idle' }));
    const ready = this.#serversApplied && this.#http.listening && servers.every((s) => s.ready);
    replyJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not-ready', servers });
  }

  /** Stop accepting, let in-flight calls finish for up to `drainMs`, then close every session and the listener. */
  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#deps.endpoint.stopAccepting();
    this.#deps.events?.close();
    const closed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#deps.router.whenIdle(),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#deps.config.drainMs))),
    ]);
    clearTimeout(timer);
    await this.#deps.endpoint.closeAll();
    this.#http.closeAllConnections();
    await closed;
  }
}
