// Serves 2026-07-28 requests, statelessly: no session is minted and none is read (security tests T55-T58). By the
// time a request arrives here it has passed the same door as a legacy one (origin, host, token, media types, body
// limit) and the era ladder (request-ladder.ts). A request is answered by an SDK 2.x server made for it, for the
// 2026-07-28 wire (modern-server.ts), in front of the same session server a legacy session has, reached in
// process (legacy-dispatch.ts) and kept between the client's requests (dispatch-pool.ts). Closing the response is
// the cancel: the request's handler is aborted, and with it the upstream call (spec 2026-07-28,
// basic/utilities/cancellation). An upstream that asks its client something during a call gets its answer through
// `input_required` rounds: the call waits, parked, for the client's retry (input-flows.ts), which the sealed
// `requestState` ties to this token and this request (request-state.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as SessionServer } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CLIENT_INFO_META_KEY,
  PerRequestHTTPServerTransport,
  isJSONRPCErrorResponse,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type MessageClassification,
  type TransportSendOptions,
} from '@modelcontextprotocol/server';
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../log/logger.ts';
import type { TokenStore } from '../auth/token-store.ts';
import type { CallContext } from '../aggregate/call-router.ts';
import type { ToolCatalog } from '../aggregate/tool-catalog.ts';
import { GatewayErrorCode, replyError } from '../http/http-reply.ts';
import { DispatchPool, type Lease } from './dispatch-pool.ts';
import { InputFlows } from './input-flows.ts';
import { LegacyDispatch } from './legacy-dispatch.ts';
import { openListen, type ListenStream } from './listen-stream.ts';
import { INPUT_METHODS, createModernServer, type ModernInput } from './modern-server.ts';
import { checkParamHeaders, paramHeaders } from '../../protocol/param-headers.ts';
import { mismatch, type ModernNotification, type ModernRequest } from './request-ladder.ts';
import { RequestStateSeal, bindingAuthInfo, requestBinding } from './request-state.ts';

export interface ModernCaller {
  readonly client: string;
  readonly tokenId: string;
  /** Whom the calls are made for on a shared gateway; null for a local client token. */
  readonly member?: string | null;
  /** The server a `/mcp/<server>` endpoint is scoped to, or null for the aggregated `/mcp`. */
  readonly scope: string | null;
}

export interface ModernEndpointDeps {
  /** A session server like the one a legacy session gets, for the given call context. */
  readonly sessionServer: (context: () => CallContext) => SessionServer;
  readonly catalog: ToolCatalog;
  readonly tokens: TokenStore;
  readonly logger: Logger;
  /** Bytes a response or listen stream may hold unread before notifications to it are dropped (T16). */
  readonly maxStreamBufferBytes: number;
  /** `gateway.inputWaitMs` and `gateway.maxWaitingInputs`: how long, and how many, requests wait for input. */
  readonly inputWaitMs: number;
  readonly maxWaitingInputs: number;
}

/** One request in flight, for shutdown and token revocation. */
interface Exchange {
  readonly tokenId: string;
  readonly transport: ExchangeTransport;
  /** Set when the gateway, not the client, ends the exchange. */
  cutBy: 'shutdown' | 'revoked' | null;
}

/**
 * The SDK's single-exchange transport, plus what the gateway needs to know about it: whether the answer has been
 * sent, and the drop policy for a client that stops reading (notifications dropped and counted, the answer always
 * written), the same as on legacy streams.
 */
class ExchangeTransport extends PerRequestHTTPServerTransport {
  answered = false;
  dropped = 0;
  readonly #res: ServerResponse;
  readonly #maxBuffer: number;

  constructor(classification: MessageClassification, res: ServerResponse, maxBuffer: number) {
    super({ classification });
    this.#res = res;
    this.#maxBuffer = maxBuffer;
  }

  override async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      this.answered = true;
    } else if (this.#res.writableLength > this.#maxBuffer) {
      this.dropped += 1;
      return;
    }
    return super.send(message, options);
  }
}

export class ModernEndpoint {
  readonly #deps: ModernEndpointDeps;
  readonly #exchanges = new Set<Exchange>();
  readonly #listens = new Map<ListenStream, string>();
  readonly #pool = new DispatchPool();
  readonly #flows: InputFlows;
  readonly #seal: RequestStateSeal;
  #closed = false;

  constructor(deps: ModernEndpointDeps) {
    this.#deps = deps;
    this.#flows = new InputFlows({ waitMs: deps.inputWaitMs, maxPerToken: deps.maxWaitingInputs });
    this.#seal = new RequestStateSeal(deps.inputWaitMs);
    deps.tokens.on('change', () => this.#dropRevoked(Date.now()));
  }

  /** Requests being answered, listen streams open, session servers kept, and requests waiting for input. */
  get open(): { exchanges: number; listens: number; sessionServers: number; waitingForInput: number } {
    return {
      exchanges: this.#exchanges.size,
      listens: this.#listens.size,
      sessionServers: this.#pool.size,
      waitingForInput: this.#flows.size,
    };
  }

  async serve(
    req: IncomingMessage,
    res: ServerResponse,
    verdict: ModernRequest | ModernNotification,
    caller: ModernCaller,
  ): Promise<void> {
    // Notifications carry nothing the gateway acts on over HTTP: the cancel of this era is closing a response.
    if (verdict.messageKind === 'notification') {
      res.writeHead(202).end();
      return;
    }
    if (this.#closed) {
      const message = 'Service Unavailable: the gateway is shutting down';
      return replyError(res, 503, GatewayErrorCode.ServerUnavailable, message, { id: verdict.message.id });
    }
    const refused = this.#checkParamHeaders(req, verdict, caller.scope);
    if (refused !== null) {
      return replyError(res, refused.status, refused.code, refused.message, { id: refused.id, data: refused.data });
    }
    const context: CallContext = {
      client: caller.client,
      member: caller.member ?? null,
      sessionId: null,
      protocolVersion: verdict.version,
      scope: caller.scope,
    };
    const open = (): Promise<LegacyDispatch> =>
      LegacyDispatch.open(
        this.#deps.sessionServer(() => context),
        envelopeClient(verdict, caller),
      );
    if (verdict.message.method === 'subscriptions/listen') return this.#listen(res, verdict, await open(), caller);
    const lease = await this.#pool.acquire(
      `${caller.tokenId}\n${caller.scope ?? ''}\n${verdict.version}`,
      caller.tokenId,
      open,
    );
    try {
      await this.#exchange(res, verdict, lease, caller);
    } finally {
      lease.release();
    }
  }

  async #exchange(res: ServerResponse, verdict: ModernRequest, lease: Lease, caller: ModernCaller): Promise<void> {
    const input = this.#inputFor(verdict, lease, caller);
    const server = createModernServer(lease.dispatch, input);
    const transport = new ExchangeTransport(verdict.classification, res, this.#deps.maxStreamBufferBytes);
    const exchange: Exchange = { tokenId: caller.tokenId, transport, cutBy: null };
    this.#exchanges.add(exchange);
    // The client closing the response before its answer is the cancel.
    res.on('close', () => {
      if (!res.writableEnded) void transport.close();
    });
    try {
      await server.connect(transport);
      // Gone while its session server was being readied: nothing to answer, nothing to start upstream.
      if (res.destroyed) return;
      let response: Response;
      try {
        // The binding travels to the SDK's requestState seal in the request's auth info (request-state.ts).
        response = await transport.handleMessage(
          verdict.message,
          input && { authInfo: bindingAuthInfo(caller.tokenId, () => input.owner.binding) },
        );
      } catch {
        // Closed before there was an answer: the client went away (nothing to send), or the gateway cut it.
        if (exchange.cutBy !== null) this.#replyCut(res, exchange, verdict);
        return;
      }
      await writeResponse(response, res);
      if (exchange.cutBy !== null && !transport.answered) this.#replyCut(res, exchange, verdict);
      if (!res.writableEnded) res.end();
      if (transport.dropped > 0) {
        this.#deps.logger.info('a modern client was not reading its response; notifications to it were dropped', {
          client: caller.client,
          dropped: transport.dropped,
        });
      }
    } finally {
      this.#exchanges.delete(exchange);
      await server.close().catch(() => {});
    }
  }

  /**
   * What a request whose answer may be `input_required` needs to ask its client through the flows: whose it is,
   * and its binding, computed only when a state is minted or checked (it hashes the arguments).
   */
  #inputFor(verdict: ModernRequest, lease: Lease, caller: ModernCaller): ModernInput | undefined {
    const { method, params } = verdict.message as { method: string; params?: Record<string, unknown> };
    if (!INPUT_METHODS.has(method)) return undefined;
    let binding: string | undefined;
    const owner = {
      tokenId: caller.tokenId,
      get binding(): string {
        return (binding ??= requestBinding(caller.tokenId, caller.scope, method, params));
      },
    };
    return { flows: this.#flows, seal: this.#seal, owner, hold: lease.hold };
  }

  async #listen(
    res: ServerResponse,
    verdict: ModernRequest,
    dispatch: LegacyDispatch,
    caller: ModernCaller,
  ): Promise<void> {
    let stream: ListenStream | null = null;
    stream = await openListen(res, verdict.message, dispatch, {
      maxBufferBytes: this.#deps.maxStreamBufferBytes,
      onEnd: () => {
        if (stream === null) return;
        this.#listens.delete(stream);
        if (stream.dropped > 0) {
          this.#deps.logger.info('a listen stream ended with notifications dropped', {
            client: caller.client,
            dropped: stream.dropped,
          });
        }
      },
    });
    if (stream !== null && !res.writableEnded) this.#listens.set(stream, caller.tokenId);
  }

  /**
   * T56: a `tools/call` whose `Mcp-Param-*` headers disagree with its arguments is refused before anything is
   * forwarded. The annotations are read from the tool's schema as the gateway lists it; a tool not listed yet has
   * none known, and then the gateway acts on no such header either.
   */
  #checkParamHeaders(req: IncomingMessage, verdict: ModernRequest, scope: string | null) {
    const { message } = verdict;
    if (message.method !== 'tools/call') return null;
    const params = message.params as { name?: unknown; arguments?: unknown } | undefined;
    if (typeof params?.name !== 'string') return null;
    const catalog = this.#deps.catalog;
    const route = scope === null ? catalog.route(params.name) : { server: scope, tool: params.name };
    const tool = route === null ? undefined : catalog.tool(route.server, route.tool);
    if (tool === undefined) return null;
    const failed = checkParamHeaders(paramHeaders(tool.inputSchema), params.arguments, (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    });
    return failed === null ? null : mismatch(failed.header, failed.detail, message.id);
  }

  /** An error in place of the answer the gateway did not let the request finish. */
  #replyCut(res: ServerResponse, exchange: Exchange, verdict: ModernRequest): void {
    const message =
      exchange.cutBy === 'shutdown'
        ? 'The gateway is shutting down; this request was not answered in time and was cancelled upstream'
        : "The client's token was revoked or expired; this request was cancelled upstream";
    if (!res.headersSent) {
      replyError(res, 503, GatewayErrorCode.ServerUnavailable, message, { id: verdict.message.id });
      return;
    }
    if (res.writableEnded || res.destroyed) return;
    const error = {
      jsonrpc: '2.0',
      id: verdict.message.id,
      error: { code: GatewayErrorCode.ServerUnavailable, message },
    };
    res.end(`event: message\ndata: ${JSON.stringify(error)}\n\n`);
  }

  /** A revoked or expired token keeps no stream open and no request running (T2). */
  #dropRevoked(now: number): void {
    for (const exchange of [...this.#exchanges]) {
      if (this.#deps.tokens.isActive(exchange.tokenId, now) || exchange.transport.answered) continue;
      exchange.cutBy = 'revoked';
      void exchange.transport.close();
    }
    for (const [stream, tokenId] of [...this.#listens]) {
      if (!this.#deps.tokens.isActive(tokenId, now)) stream.end(false);
    }
    this.#flows.dropTokens((tokenId) => this.#deps.tokens.isActive(tokenId, now));
    this.#pool.dropTokens((tokenId) => this.#deps.tokens.isActive(tokenId, now));
  }

  /**
   * Shutdown begins: new requests get 503; those in flight may finish while calls drain. Requests waiting for a
   * retry are cancelled now, since no retry could be served, rather than holding the drain to its end.
   */
  stopAccepting(): void {
    this.#closed = true;
    this.#flows.closeAll();
  }

  /** Shutdown ends: requests still waiting are cut with an error, and listen streams end with their result. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const exchange of [...this.#exchanges]) {
      if (exchange.transport.answered) continue;
      exchange.cutBy = 'shutdown';
      void exchange.transport.close();
    }
    for (const stream of [...this.#listens.keys()]) stream.end(true);
    this.#flows.closeAll();
    await this.#pool.closeAll();
  }
}

/**
 * The client's identity, from its `_meta` envelope (clientInfo is optional there). Its capabilities are read per
 * request where they matter (input-flow.ts), since a pooled session server serves many requests.
 */
function envelopeClient(verdict: ModernRequest, caller: ModernCaller): Implementation {
  const meta = (verdict.message.params as { _meta?: Record<string, unknown> } | undefined)?._meta ?? {};
  const info = meta[CLIENT_INFO_META_KEY] as Implementation | undefined;
  return info ?? { name: caller.client, version: 'unknown' };
}

/** Writes the SDK's web Response onto the Node response: JSON whole, SSE as it comes, without waiting for drain. */
async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  if (res.destroyed) return;
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  const isStream = (headers['content-type'] ?? '').startsWith('text/event-stream');
  if (response.body === null || !isStream) {
    const body = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
    return;
  }
  res.writeHead(response.status, headers);
  res.flushHeaders();
  // Writes do not wait for drain: the transport drops notifications once the client stops reading (T16).
  for await (const chunk of response.body) {
    if (res.destroyed) break;
    res.write(chunk);
  }
}
