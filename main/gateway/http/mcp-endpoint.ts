// `/mcp` and `/mcp/<server>`: the checks every request passes, in order (origin and host, token, headers, session,
// body size, JSON-RPC shape), and the session table. Each session belongs to the client whose token opened it;
// the id alone never stands in for the token (security tests T1-T17, T49-T54). A request of the 2026-07-28 era
// passes the same door and is then served statelessly by ../modern/ (T55-T58).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SUPPORTED_PROTOCOL_VERSIONS, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isRequestMessage } from '../../protocol/jsonrpc-message.ts';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { GatewayConfig } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import { CallerAuth } from '../auth/caller-auth.ts';
import type { FailureThrottle } from '../auth/failure-throttle.ts';
import type { TokenStore } from '../auth/token-store.ts';
import { Aggregate } from '../aggregate/aggregate.ts';
import type { CallContext, CallRouter } from '../aggregate/call-router.ts';
import { createSessionServer } from '../aggregate/session-server.ts';
import type { ToolCatalog } from '../aggregate/tool-catalog.ts';
import type { UpstreamDirectory } from '../aggregate/upstream-directory.ts';
import type { ModernEndpoint } from '../modern/modern-endpoint.ts';
import type { classifyPost } from '../modern/request-ladder.ts';
import { mayBeModern, namesModernRevision } from '../modern/protocol-eras.ts';
import { readBody } from './body-reader.ts';
import { GatewayErrorCode, replyError } from './http-reply.ts';
import { parseJsonRpcBody, versionAllowsBatches } from './jsonrpc-body.ts';
import {
  bearerToken,
  checkGetHeaders,
  checkOrigin,
  checkPostHeaders,
  type GuardFailure,
  type OriginPolicy,
  requestPath,
} from './request-guards.ts';
import { SessionTransport } from './session-transport.ts';

interface Session {
  readonly id: string;
  readonly client: string;
  /** Whom the session's calls are made for on a shared gateway; null for a local client token. */
  readonly member: string | null;
  readonly tokenId: string;
  readonly scope: string | null;
  readonly transport: SessionTransport;
  readonly server: Server;
  lastSeen: number;
}

export interface McpEndpointDeps {
  readonly config: GatewayConfig;
  readonly origins: OriginPolicy;
  readonly tokens: TokenStore;
  /** Who is calling; local client tokens only when not given (a shared gateway adds JWTs and team members). */
  readonly auth?: CallerAuth;
  readonly throttle: FailureThrottle;
  readonly audit: AuditLog;
  readonly directory: UpstreamDirectory;
  readonly catalog: ToolCatalog;
  readonly router: CallRouter;
  readonly logger: Logger;
  readonly version: string;
  /** What sessions share beyond tools (prompts, resources, subscriptions, logging); built from the rest if absent. */
  readonly aggregate?: Aggregate;
}

/** The caller as the endpoint knows it: its client name, the id its sessions are bound to, its member. */
interface Principal {
  readonly name: string;
  readonly tokenId: string;
  readonly member: string | null;
}

interface ModernDoor {
  readonly endpoint: ModernEndpoint;
  readonly classifyPost: typeof classifyPost;
}

/** How long closing waits for answers of finished calls to be written before it ends their sessions. */
const ANSWER_FLUSH_MS = 1_000;

/** How soon a client refused while the gateway drains should try again (through its proxy, another instance). */
export const DRAIN_RETRY_AFTER_S = 1;

/** What one SSE stream may hold unread before notifications to it are dropped (T16). */
export const STREAM_BUFFER_BYTES = 8 * 1024 * 1024;

export class McpEndpoint {
  readonly #deps: McpEndpointDeps;
  readonly #sessions = new Map<string, Session>();
  readonly #aggregate: Aggregate;
  readonly #auth: CallerAuth;
  /** The 2026-07-28 door, loaded on the first request that may be modern: its SDK costs ~30 MB to load. */
  #modern: Promise<ModernDoor> | null = null;
  #accepting = true;
  #paused = false;

  constructor(deps: McpEndpointDeps) {
    this.#deps = deps;
    this.#auth = deps.auth ?? new CallerAuth({ tokens: deps.tokens });
    this.#aggregate =
      deps.aggregate ??
      new Aggregate({
        directory: deps.directory,
        tools: deps.catalog,
        router: deps.router,
        logger: deps.logger,
        listWaitMs: deps.config.listWaitMs,
        pageSize: deps.config.listPageSize,
      });
    deps.catalog.setMaxListeners(0);
    deps.tokens.on('change', () => this.#dropInactiveSessions(Date.now()));
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Sessions of the server's own endpoint (`/mcp/<server>`) with a stream open: they keep an on-demand server up. */
  openStreamsOf(server: string): number {
    let count = 0;
    for (const session of this.#sessions.values()) {
      if (session.scope === server && session.transport.hasOpenStream) count += 1;
    }
    return count;
  }

  /** True from the moment shutdown begins: /readyz answers 503 and new work is refused. */
  get draining(): boolean {
    return !this.#accepting;
  }

  /** Open sessions per client name. */
  sessionsByClient(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const session of this.#sessions.values()) counts.set(session.client, (counts.get(session.client) ?? 0) + 1);
    return counts;
  }

  /**
   * Pausing (the desktop's tray) refuses every request but a session's DELETE with 503 until resumed; sessions
   * stay open, so clients carry on where they were. Unlike stopAccepting it can be undone.
   */
  setPaused(paused: boolean): void {
    this.#paused = paused;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Shutdown's first step: new sessions, new streams and new requests (on open sessions too) are refused with 503,
   * Retry-After and Connection: close, so a proxy retries them on another instance; responses and notifications
   * that calls in flight need (a cancel, an elicitation's answer) still reach them while they drain.
   */
  stopAccepting(): void {
    this.#accepting = false;
    void this.#modern?.then((door) => door.endpoint.stopAccepting());
  }

  async handle(req: IncomingMessage, res: ServerResponse, scope: string | null): Promise<void> {
    const refused = checkOrigin(req, this.#deps.origins);
    if (refused) return this.#refuse(res, refused);

    const client = await this.#authenticate(req, res);
    if (client === null) return;

    if (scope !== null && this.#deps.directory.get(scope) === undefined) {
      return replyError(res, 404, GatewayErrorCode.InvalidRequest, `Not Found: no server named "${scope}"`);
    }
    if (this.#paused && req.method !== 'DELETE') {
      return replyError(
        res,
        503,
        GatewayErrorCode.ServerUnavailable,
        'Service Unavailable: the gateway is paused in Switchboard; resume it from the tray menu',
        { headers: { 'retry-after': '30' } },
      );
    }

    switch (req.method) {
      case 'POST':
        return this.#post(req, res, client, scope);
      case 'GET':
        if (!this.#accepting) return this.#refuseDraining(res, null);
        return this.#get(req, res, client, scope);
      case 'DELETE':
        return this.#delete(req, res, client, scope);
      default:
        return replyError(res, 405, GatewayErrorCode.InvalidRequest, 'Method Not Allowed', {
          headers: { allow: 'GET, POST, DELETE' },
        });
    }
  }

  /** The caller behind a valid bearer, or null after answering 401/429 (or 503 when its judge is out of reach). */
  async #authenticate(req: IncomingMessage, res: ServerResponse): Promise<Principal | null> {
    const verdict = await this.#auth.authenticate(bearerToken(req));
    if (verdict.ok)
      return { name: verdict.caller.client, tokenId: verdict.caller.tokenId, member: verdict.caller.member };
    if (verdict.status === 503) {
      // Not the caller's fault, and not a guess: never counted towards the throttle, never admitted.
      void this.#deps.audit.record({
        kind: 'auth',
        outcome: 'unavailable',
        detail: { path: requestPath(req), method: req.method ?? '', reason: verdict.reason },
      });
      replyError(
        res,
        503,
        GatewayErrorCode.ServerUnavailable,
        `Service Unavailable: the token cannot be checked now: ${verdict.reason}`,
        { headers: { 'retry-after': '5' } },
      );
      return null;
    }
    const reason = verdict.reason;
    const decision = this.#deps.throttle.recordFailure(Date.now());
    if (decision.throttled) {
      if (decision.burstStarted) {
        void this.#deps.audit.record({
          kind: 'auth',
          outcome: 'throttled',
          detail: { path: requestPath(req), failuresInWindow: decision.failuresInWindow },
        });
      }
      replyError(res, 429, GatewayErrorCode.Refused, 'Too Many Requests: too many failed authentications', {
        headers: { 'retry-after': String(decision.retryAfterSeconds) },
      });
      return null;
    }
    void this.#deps.audit.record({
      kind: 'auth',
      outcome: 'unauthenticated',
      detail: { path: requestPath(req), method: req.method ?? '', reason },
    });
    // No resource_metadata: the gateway mints its own tokens, and a hint would send IDE clients into OAuth (T50).
    replyError(
      res,
      401,
      GatewayErrorCode.Refused,
      'Unauthorized: a valid client token is required (Authorization: Bearer)',
      {
        headers: { 'www-authenticate': 'Bearer realm="switchboard"' },
      },
    );
    return null;
  }

  /** The session a request names, or null after answering; a session of another client is "not found" (T5). */
  #session(req: IncomingMessage, res: ServerResponse, client: Principal, scope: string | null): Session | null {
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string' || id.length === 0) {
      replyError(res, 400, GatewayErrorCode.InvalidRequest, 'Bad Request: Mcp-Session-Id header is required');
      return null;
    }
    const session = this.#sessions.get(id);
    if (!session || session.scope !== scope) {
      replyError(res, 404, GatewayErrorCode.InvalidRequest, 'Session not found: initialize a new session');
      return null;
    }
    // On a shared gateway many members may share a client name: a session is theirs only with the same member too.
    if (session.client !== client.name || session.member !== client.member) {
      void this.#deps.audit.record({
        kind: 'session',
        outcome: 'session-mismatch',
        client: client.name,
        member: client.member,
        sessionId: id,
        detail: { owner: session.client, method: req.method ?? '' },
      });
      replyError(res, 404, GatewayErrorCode.InvalidRequest, 'Session not found: initialize a new session');
      return null;
    }
    session.lastSeen = Date.now();
    return session;
  }

  async #post(req: IncomingMessage, res: ServerResponse, client: Principal, scope: string | null): Promise<void> {
    const bad = checkPostHeaders(req);
    if (bad) return this.#refuse(res, bad);
    // A modern MCP-Protocol-Version makes the request stateless whatever else it carries: a session id is ignored.
    const modern = namesModernRevision(req.headers['mcp-protocol-version']);
    const hasSession = !modern && req.headers['mcp-session-id'] !== undefined;
    const session = hasSession ? this.#session(req, res, client, scope) : null;
    if (hasSession && session === null) return;
    if (session !== null && !this.#versionSupported(req, res)) return;

    const limit = this.#deps.config.maxBodyBytes;
    const body = await readBody(req, limit);
    if (!body.ok) {
      if (body.reason === 'aborted') return;
      return replyError(
        res,
        413,
        GatewayErrorCode.BodyTooLarge,
        `Payload Too Large: the request body exceeds the gateway's limit of ${limit} bytes (gateway.maxBodyBytes)`,
        // Closing the connection lets the client stop sending a body nobody will read.
        { data: { limit }, headers: { connection: 'close' } },
      );
    }
    const parsed = parseJsonRpcBody(body.body, versionAllowsBatches(session?.transport.protocolVersion ?? null));
    if (!parsed.ok) return replyError(res, 400, parsed.code, parsed.message, { id: null });
    if (!this.#accepting) {
      const request = parsed.messages.find(isRequestMessage);
      if (request !== undefined) return this.#refuseDraining(res, request.id);
    }

    // The era is decided by the body first (modern/request-ladder.ts); a batch is never modern.
    // A session id does not decide it: a request whose _meta claims 2026-07-28 is modern, and the id is ignored.
    const content = parsed.batch ? parsed.messages : parsed.messages[0];
    if (mayBeModern(req.headers, content)) {
      const door = await this.#modernDoor();
      const era = door.classifyPost(req.headers, content);
      if (era.kind === 'reject') {
        return replyError(res, era.status, era.code, era.message, { id: era.id, data: era.data });
      }
      if (era.kind === 'modern') {
        return door.endpoint.serve(req, res, era, {
          client: client.name,
          tokenId: client.tokenId,
          member: client.member,
          scope,
        });
      }
    }
    if (session === null && !this.#versionSupported(req, res)) return;

    const isInit = parsed.messages.some((m) => isRequestMessage(m) && m.method === 'initialize');
    if (session === null) {
      if (!isInit) {
        return replyError(
          res,
          400,
          GatewayErrorCode.InvalidRequest,
          'Bad Request: no Mcp-Session-Id; send initialize first to open a session',
        );
      }
      if (!this.#roomFor(client)) {
        const limit = this.#deps.config.maxSessionsPerClient;
        return replyError(
          res,
          429,
          GatewayErrorCode.Refused,
          `Too Many Requests: client "${client.name}" already has ${limit} sessions open and in use (gateway.maxSessionsPerClient); end one (DELETE) first`,
          { data: { limit, setting: 'gateway.maxSessionsPerClient' } },
        );
      }
      const opened = await this.#open(client, scope);
      opened.transport.acceptPost(res, parsed.messages, parsed.batch, { requestInfo: { headers: req.headers } });
      return;
    }
    if (isInit) {
      return replyError(res, 400, GatewayErrorCode.InvalidRequest, 'Bad Request: this session is already initialized');
    }
    for (const message of parsed.messages) {
      if (isRequestMessage(message) && session.transport.isInFlight(message.id)) {
        return replyError(
          res,
          400,
          GatewayErrorCode.InvalidRequest,
          `Invalid Request: request id ${JSON.stringify(message.id)} is already in flight on this session`,
          { id: message.id },
        );
      }
    }
    session.transport.acceptPost(res, parsed.messages, parsed.batch, { requestInfo: { headers: req.headers } });
  }

  #get(req: IncomingMessage, res: ServerResponse, client: Principal, scope: string | null): void {
    const bad = checkGetHeaders(req);
    if (bad) return this.#refuse(res, bad);
    const session = this.#session(req, res, client, scope);
    if (!session || !this.#versionSupported(req, res)) return;
    // No resumability: every GET is a fresh stream and Last-Event-ID replays nothing, so nothing is ever sent twice.
    if (!session.transport.acceptGet(req, res)) {
      replyError(res, 409, GatewayErrorCode.InvalidRequest, 'Conflict: this session already has an open GET stream');
    }
  }

  async #delete(req: IncomingMessage, res: ServerResponse, client: Principal, scope: string | null) {
    const session = this.#session(req, res, client, scope);
    if (!session || !this.#versionSupported(req, res)) return;
    await this.#close(session);
    res.writeHead(204).end();
  }

  async #open(client: Principal, scope: string | null): Promise<Session> {
    const id = randomUUID();
    const transport = new SessionTransport({ sessionId: id, maxStreamBufferBytes: STREAM_BUFFER_BYTES });
    const server = this.#sessionServer(() => ({
      client: client.name,
      member: client.member,
      sessionId: id,
      protocolVersion: transport.protocolVersion,
      scope,
      streamUnread: (request) => transport.unreadOf(request),
    }));
    const session: Session = {
      id,
      client: client.name,
      member: client.member,
      tokenId: client.tokenId,
      scope,
      transport,
      server,
      lastSeen: Date.now(),
    };
    this.#sessions.set(id, session);
    const logger = this.#deps.logger;
    transport.onoverflow = () =>
      logger.warn('a client is not reading its stream; notifications to it are dropped', {
        session: id,
        client: client.name,
        bufferLimitBytes: STREAM_BUFFER_BYTES,
      });
    transport.onclose = () => {
      this.#sessions.delete(id);
      const counts = { session: id, client: client.name, dropped: transport.dropped, overflowed: transport.overflowed };
      if (transport.dropped > 0) logger.info('session closed', counts);
      else logger.debug('session closed', counts);
    };
    await server.connect(transport);
    this.#deps.logger.debug('session opened', { session: id, client: client.name, scope });
    // Who connected, with which token (its id, never the token itself), to which endpoint.
    void this.#deps.audit.record({
      kind: 'auth',
      method: 'session-opened',
      outcome: 'ok',
      client: client.name,
      member: client.member,
      sessionId: id,
      detail: { tokenId: client.tokenId, endpoint: scope === null ? '/mcp' : `/mcp/${scope}` },
    });
    return session;
  }

  /**
   * Whether the client may open one more session: under `gateway.maxSessionsPerClient`, or at it with an idle session
   * to close (the least recently used one with no open stream and nothing in flight), which is closed here.
   */
  #roomFor(caller: Principal): boolean {
    const client = caller.name;
    // Per client and member: on a shared gateway one member's sessions never close another's.
    const own = [...this.#sessions.values()].filter((s) => s.client === client && s.member === caller.member);
    const limit = this.#deps.config.maxSessionsPerClient;
    if (own.length < limit) return true;
    const idle = own.filter((session) => !session.transport.hasOpenStream).sort((a, b) => a.lastSeen - b.lastSeen);
    const closing = idle.slice(0, own.length - limit + 1);
    if (closing.length < own.length - limit + 1) return false;
    for (const session of closing) {
      this.#deps.logger.info('closed the least recently used idle session: gateway.maxSessionsPerClient reached', {
        session: session.id,
        client,
        limit,
      });
      void this.#close(session);
    }
    return true;
  }

  /** The session server of a legacy session, and of each modern request (which reaches it in process). */
  #sessionServer(context: () => CallContext): Server {
    return createSessionServer({ aggregate: this.#aggregate, version: this.#deps.version, context });
  }

  async #close(session: Session): Promise<void> {
    this.#sessions.delete(session.id);
    await session.server.close();
  }

  /** A session lives no longer than its token: revoked or expired, its streams are closed (T2). */
  #dropInactiveSessions(now: number): number {
    let closed = 0;
    for (const session of [...this.#sessions.values()]) {
      if (this.#deps.tokens.isActive(session.tokenId, now)) continue;
      void this.#close(session);
      closed += 1;
    }
    return closed;
  }

  /**
   * Ends sessions idle for longer than `sessionIdleMs` (a session with an open GET stream is not idle), and
   * sessions whose token has expired since the last sweep.
   */
  sweepIdle(now: number): number {
    let closed = this.#dropInactiveSessions(now);
    for (const session of [...this.#sessions.values()]) {
      if (now - session.lastSeen > this.#deps.config.sessionIdleMs && !session.transport.hasOpenStream) {
        void this.#close(session);
        closed += 1;
      }
    }
    return closed;
  }

  /**
   * Closes every session, once the answers of requests whose calls have ended are written (bounded): a call that
   * finished during the drain leaves its handler a few turns before its result reaches the stream.
   */
  async closeAll(): Promise<void> {
    const deadline = performance.now() + ANSWER_FLUSH_MS;
    while (performance.now() < deadline && [...this.#sessions.values()].some((s) => s.transport.unanswered > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await (await this.#modern)?.endpoint.close();
    await Promise.all([...this.#sessions.values()].map((s) => this.#close(s)));
  }

  #modernDoor(): Promise<ModernDoor> {
    this.#modern ??= (async () => {
      const [{ ModernEndpoint: Endpoint }, ladder] = await Promise.all([
        import('../modern/modern-endpoint.ts'),
        import('../modern/request-ladder.ts'),
      ]);
      const endpoint = new Endpoint({
        sessionServer: (context) => this.#sessionServer(context),
        catalog: this.#deps.catalog,
        tokens: this.#deps.tokens,
        logger: this.#deps.logger,
        maxStreamBufferBytes: STREAM_BUFFER_BYTES,
        inputWaitMs: this.#deps.config.inputWaitMs,
        maxWaitingInputs: this.#deps.config.maxWaitingInputs,
      });
      if (!this.#accepting) endpoint.stopAccepting();
      return { endpoint, classifyPost: ladder.classifyPost };
    })();
    return this.#modern;
  }

  /**
   * False after answering 400 when `MCP-Protocol-Version` names a version the gateway does not speak; every
   * method, not only POST (spec 2025-11-25, Streamable HTTP, "Protocol Version Header"; T12). A missing header
   * is fine: a legacy session then runs at the version it negotiated.
   */
  #versionSupported(req: IncomingMessage, res: ServerResponse): boolean {
    const version = req.headers['mcp-protocol-version'];
    if (version === undefined || (typeof version === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(version))) {
      return true;
    }
    replyError(
      res,
      400,
      GatewayErrorCode.InvalidRequest,
      `Bad Request: unsupported MCP-Protocol-Version "${String(version)}" (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
      { data: { supported: SUPPORTED_PROTOCOL_VERSIONS } },
    );
    return false;
  }

  /** 503 while draining, with what a proxy needs to send the request to another instance. */
  #refuseDraining(res: ServerResponse, id: RequestId | null): void {
    replyError(
      res,
      503,
      GatewayErrorCode.ServerUnavailable,
      'Service Unavailable: the gateway is shutting down; try again (another instance will answer)',
      {
        ...(id === null ? {} : { id }),
        headers: { 'retry-after': String(DRAIN_RETRY_AFTER_S), connection: 'close' },
      },
    );
  }

  #refuse(res: ServerResponse, failure: GuardFailure): void {
    replyError(
      res,
      failure.status,
      failure.status === 403 ? GatewayErrorCode.Refused : GatewayErrorCode.InvalidRequest,
      failure.message,
    );
  }
}
