// An upstream that speaks only 2026-07-28, behind the surface the gateway uses of an upstream (upstream-client.ts).
// The SDK 2.x client speaks the revision (the `_meta` envelope on every request, `server/discover`, the removed
// methods refused); this maps the rest:
// - `input_required`: the SDK's own fulfilment is off, because its handlers cannot tell which call an embedded
//   request belongs to. Here it is known: it came in the answer to one request, made for one caller (its
//   `origin`). Each embedded request goes to the handler registered for its method with that origin attached
//   (`originOf`), and the call is retried with `inputResponses` and the echoed `requestState`. A URL-mode
//   elicitation has no `elicitationId` in 2026-07-28, which the 2025 hop requires: it is given one, and once the
//   call is over (the server answered the retries, so the out-of-band step is settled) the handlers hear
//   `notifications/elicitation/complete` for each such elicitation that was accepted, as from a 2025 server.
// - health: `ping` is gone in 2026-07-28; `server/discover` is the request every server must answer.
// - `logging/setLevel` is gone too; the level asked for is sent as `_meta["io.modelcontextprotocol/logLevel"]` on
//   every later request, so log messages still come, on the stream of the request they belong to.
// - list changes come on a `subscriptions/listen` stream held open while connected (change-stream.ts), to the
//   same handlers.
// - `Mcp-Param-*` headers (SEP-2243): the SDK writes them only in its own `callTool`, which calls go around (they
//   need their `input_required` rounds answered here), so each `tools/call` carries those its tool's schema, as
//   last listed, declares. A server that still finds them wrong (the schema changed unannounced) refuses with
//   -32020 before running anything: the tools are listed again and the call sent once more, as the SDK does.
// - `resources/subscribe` is gone too: the URIs subscribed to are the `resourceSubscriptions` of a second listen
//   stream, replaced by one naming the new set on each subscribe and unsubscribe, and its
//   `notifications/resources/updated` reach the same handler. A stream of its own, so list changes never wait on
//   a resource's subscription, and one stream for every URI rather than one each: a server serves a bounded
//   number of streams (the SDK's default is 1024) and each costs a connection over HTTP.
import { randomUUID } from 'node:crypto';
import {
  Client as ModernClient,
  isInputRequiredResult,
  LOG_LEVEL_META_KEY,
  type ClientCapabilities,
  type SubscriptionFilter,
  type Transport as ModernTransport,
} from '@modelcontextprotocol/client';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { AnySchema, SchemaOutput } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { getMethodLiteral, parseWithCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import {
  CallToolResultSchema,
  ErrorCode,
  McpError,
  type ClientNotification,
  type ClientRequest,
  type Implementation,
  type LoggingLevel,
  type Request,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { mirroredParamHeaders } from '../protocol/param-headers.ts';
import { ChangeStream } from './change-stream.ts';
import { MODERN_VERSION } from './modern-version.ts';
import type { CallOrigin, UpstreamClient, UpstreamRequestOptions } from './upstream-client.ts';

/**
 * An embedded request as the 2025 hop needs it: a URL-mode elicitation gets the `elicitationId` that revision
 * requires (2026-07-28 has none), and once accepted its id is added to `accepted`, to be completed with the call.
 */
function withElicitationId(
  input: unknown,
  accepted: string[],
): { input: unknown; accepted?: (answer: unknown) => void } {
  const request = input as { method?: unknown; params?: Record<string, unknown> } | null;
  if (request?.method !== 'elicitation/create' || request.params?.mode !== 'url') return { input };
  if (typeof request.params.elicitationId === 'string') return { input };
  const elicitationId = `switchboard-${randomUUID()}`;
  return {
    input: { ...request, params: { ...request.params, elicitationId } },
    accepted: (answer) => {
      if ((answer as { action?: unknown } | null)?.action === 'accept') accepted.push(elicitationId);
    },
  };
}

/** How many `input_required` rounds one call may take before it is given up (the SDK's own default). */
const MAX_INPUT_ROUNDS = 10;

/** `HeaderMismatch` (2026-07-28): the server found a mirrored header contradicting the body, and ran nothing. */
const HEADER_MISMATCH = -32020;

type Extra = RequestHandlerExtra<ClientRequest, ClientNotification>;
type RequestHandler = (request: unknown, extra: Extra) => unknown;

export class ModernUpstreamClient implements UpstreamClient {
  readonly era = 'modern' as const;
  readonly #client: ModernClient;
  readonly #requestHandlers = new Map<string, { schema: AnySchema; handler: RequestHandler }>();
  /** Notification handlers by method, also called when list changes may have been missed (change-stream.ts). */
  readonly #notificationHandlers = new Map<string, (notification: unknown) => Promise<void>>();
  /**
   * The call each embedded input request is being answered for, by the `extra` handed to exactly that handler
   * call: the SDK 1.x handler signature has no place for it. Nothing is held once the call is over.
   */
  readonly #origins = new WeakMap<object, CallOrigin>();
  #logLevel: LoggingLevel | null = null;
  #changes: ChangeStream | null = null;
  /** The resources subscribed to, and the listen stream that watches them (null until the first subscription). */
  readonly #watched = new Set<string>();
  #watching: ChangeStream | null = null;
  #listenTimeoutMs = 30_000;
  /** Each tool's input schema as last listed: what its calls' `Mcp-Param-*` headers are made from. */
  readonly #toolSchemas = new Map<string, unknown>();
  #onListenError: ((error: Error) => void) | undefined;

  constructor(info: Implementation, capabilities: ClientCapabilities) {
    this.#client = new ModernClient(info, {
      capabilities,
      versionNegotiation: { mode: { pin: MODERN_VERSION } },
      inputRequired: { autoFulfill: false },
    });
  }

  /** Discovers the server (2026-07-28 only); rejects when it does not speak that revision. */
  async connect(transport: ModernTransport, options: { timeout: number; signal?: AbortSignal }): Promise<void> {
    await this.#client.connect(transport, options);
  }

  /**
   * Keeps a listen stream open for the list changes the server announces (change-stream.ts); a server that
   * announces none is read when asked. Rejects when the first stream cannot be opened.
   */
  async listenForChanges(timeoutMs: number, onError?: (error: Error) => void): Promise<void> {
    this.#listenTimeoutMs = timeoutMs;
    this.#onListenError = onError;
    const capabilities = this.getServerCapabilities() ?? {};
    const filter = {
      ...(capabilities.tools?.listChanged === true ? { toolsListChanged: true } : {}),
      ...(capabilities.prompts?.listChanged === true ? { promptsListChanged: true } : {}),
      ...(capabilities.resources?.listChanged === true ? { resourcesListChanged: true } : {}),
    };
    if (Object.keys(filter).length === 0) return;
    const changes = new ChangeStream({
      filter,
      timeoutMs,
      open: (wanted, timeout) => this.#client.listen(wanted, { timeout }),
      missed: (missed) => this.#missed(missed),
      onError,
    });
    await changes.open();
    this.#changes = changes;
  }

  /** Lists and resources that may have changed while no listen stream was open are announced as changed. */
  #missed(filter: SubscriptionFilter): void {
    const methods = [
      filter.toolsListChanged === true ? 'notifications/tools/list_changed' : null,
      filter.promptsListChanged === true ? 'notifications/prompts/list_changed' : null,
      filter.resourcesListChanged === true ? 'notifications/resources/list_changed' : null,
    ];
    for (const method of methods) {
      const handle = method === null ? undefined : this.#notificationHandlers.get(method);
      if (handle !== undefined) void handle({ method }).catch(() => {});
    }
    const updated = this.#notificationHandlers.get('notifications/resources/updated');
    for (const uri of filter.resourceSubscriptions ?? []) {
      void updated?.({ method: 'notifications/resources/updated', params: { uri } }).catch(() => {});
    }
  }

  async close(): Promise<void> {
    const streams = [this.#changes, this.#watching];
    this.#changes = null;
    this.#watching = null;
    await Promise.all(streams.map((stream) => stream?.close().catch(() => {})));
    await this.#client.close();
  }

  /** The call an input request handed to a handler registered with `setRequestHandler` is answered for. */
  originOf(extra: object): CallOrigin | undefined {
    return this.#origins.get(extra);
  }

  /** As the server declared them: `resources.subscribe` means it honours `resourceSubscriptions` on listen. */
  getServerCapabilities(): ServerCapabilities | undefined {
    return this.#client.getServerCapabilities() as ServerCapabilities | undefined;
  }

  readonly setNotificationHandler: Client['setNotificationHandler'] = (schema, handler) => {
    const method = getMethodLiteral(schema);
    const handle = async (notification: unknown): Promise<void> => {
      await handler(parseWithCompat(schema, notification) as never);
    };
    this.#notificationHandlers.set(method, handle);
    this.#client.setNotificationHandler(method as never, handle);
  };

  readonly setRequestHandler: Client['setRequestHandler'] = (schema, handler) => {
    this.#requestHandlers.set(getMethodLiteral(schema), { schema, handler: handler as RequestHandler });
  };

  async request<T extends AnySchema>(
    request: Request,
    resultSchema: T,
    options: UpstreamRequestOptions = {},
  ): Promise<SchemaOutput<T>> {
    if (request.method !== 'tools/call') return this.#request(request, resultSchema, options);
    try {
      return await this.#request(request, resultSchema, options);
    } catch (error) {
      if ((error as { code?: unknown }).code !== HEADER_MISMATCH) throw error;
      await this.listTools(undefined, { signal: options.signal });
      return this.#request(request, resultSchema, options);
    }
  }

  async #request<T extends AnySchema>(
    request: Request,
    resultSchema: T,
    options: UpstreamRequestOptions,
  ): Promise<SchemaOutput<T>> {
    const { origin, ...sdkOptions } = options;
    const call = request.params as { name?: unknown; arguments?: unknown } | undefined;
    const headers =
      request.method === 'tools/call' && typeof call?.name === 'string'
        ? mirroredParamHeaders(this.#toolSchemas.get(call.name), call.arguments)
        : {};
    let params: Record<string, unknown> = { ...(request.params ?? {}) };
    if (this.#logLevel !== null) {
      params = { ...params, _meta: { ...(params._meta as object | undefined), [LOG_LEVEL_META_KEY]: this.#logLevel } };
    }
    const accepted: string[] = [];
    try {
      for (let round = 0; ; round++) {
        const result = await this.#client.request({ method: request.method, params }, resultSchema, {
          ...sdkOptions,
          ...(Object.keys(headers).length > 0 ? { headers } : {}),
          allowInputRequired: true,
        });
        if (!isInputRequiredResult(result)) return result as SchemaOutput<T>;
        if (round >= MAX_INPUT_ROUNDS) {
          throw new McpError(ErrorCode.InternalError, `the server still asked for input after ${round} rounds`);
        }
        const inputResponses: Record<string, unknown> = {};
        for (const [key, input] of Object.entries(result.inputRequests ?? {})) {
          inputResponses[key] = await this.#answer(withElicitationId(input, accepted), origin, sdkOptions.signal);
        }
        const { inputResponses: _old, requestState: _state, ...rest } = params;
        params = {
          ...rest,
          inputResponses,
          ...(result.requestState === undefined ? {} : { requestState: result.requestState }),
        };
      }
    } finally {
      const complete = this.#notificationHandlers.get('notifications/elicitation/complete');
      for (const elicitationId of accepted) {
        void complete?.({ method: 'notifications/elicitation/complete', params: { elicitationId } }).catch(() => {});
      }
    }
  }

  /** One embedded request, answered by the handler for its method with the call's origin attached. */
  async #answer(
    given: { input: unknown; accepted?: (answer: unknown) => void },
    origin: CallOrigin | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const answer = await this.#ask(given.input, origin, signal);
    given.accepted?.(answer);
    return answer;
  }

  async #ask(input: unknown, origin: CallOrigin | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    const method = (input as { method?: unknown } | null)?.method;
    const entry = typeof method === 'string' ? this.#requestHandlers.get(method) : undefined;
    if (entry === undefined) {
      throw new McpError(ErrorCode.MethodNotFound, `the server asked for ${String(method)}, which is not handled`);
    }
    const request = parseWithCompat(entry.schema, input);
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const unavailable = (): Promise<never> =>
      Promise.reject(new McpError(ErrorCode.InvalidRequest, 'a 2026-07-28 server has no channel for this'));
    const extra: Extra = {
      signal: controller.signal,
      requestId: `input:${String(method)}`,
      sendNotification: unavailable,
      sendRequest: unavailable,
    };
    if (origin !== undefined) this.#origins.set(extra, origin);
    try {
      return await entry.handler(request, extra);
    } catch (error) {
      // 2026-07-28 has no error answer to an input request: the call is not retried, and ends with this error.
      if (signal?.aborted) throw error;
      const reason = error instanceof Error ? error.message.replace(/^(MCP error -?\d+: )+/, '') : String(error);
      throw new McpError(
        error instanceof McpError ? error.code : ErrorCode.InvalidRequest,
        `the server needs ${String(method)} answered to finish this call (input_required), and it was not: ${reason}`,
      );
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** 2026-07-28 has no `logging/setLevel`: the level travels with each request from now on. */
  setLoggingLevel(level: LoggingLevel): Promise<Record<string, never>> {
    this.#logLevel = level;
    return Promise.resolve({});
  }

  /** The health check: `server/discover`, which every 2026-07-28 server answers (`ping` is gone). */
  async ping(options?: { timeout?: number; signal?: AbortSignal }): Promise<Record<string, never>> {
    await this.#client.discover(options);
    return {};
  }

  /**
   * `resources/subscribe` of 2026-07-28: the URI joins the `resourceSubscriptions` of the resource listen stream,
   * and is subscribed once the server has acknowledged a stream that names it.
   */
  async subscribeResource(params: { uri: string }): Promise<Record<string, never>> {
    const { uri } = params;
    if (this.getServerCapabilities()?.resources?.subscribe !== true) {
      throw new McpError(ErrorCode.MethodNotFound, 'the server does not offer resource subscriptions');
    }
    if (this.#watched.has(uri)) return {};
    this.#watched.add(uri);
    let honoured: SubscriptionFilter;
    try {
      honoured = await this.#watchStream().replace(this.#watchFilter());
    } catch (error) {
      this.#watched.delete(uri);
      throw new McpError(
        ErrorCode.InternalError,
        `subscriptions/listen for resourceSubscriptions [${uri}] failed: ${(error as Error).message}`,
      );
    }
    if (!(honoured.resourceSubscriptions ?? []).includes(uri)) {
      // Its stream still names the URI until the next change; an update for it then concerns nobody.
      this.#watched.delete(uri);
      throw new McpError(
        ErrorCode.InvalidParams,
        `the server left ${uri} out of the resourceSubscriptions it acknowledged on subscriptions/listen`,
      );
    }
    return {};
  }

  /** The URI leaves the resource listen stream's `resourceSubscriptions` (the stream ends with the last one). */
  async unsubscribeResource(params: { uri: string }): Promise<Record<string, never>> {
    if (!this.#watched.delete(params.uri)) return {};
    await this.#watchStream().replace(this.#watchFilter());
    return {};
  }

  #watchFilter(): SubscriptionFilter {
    return this.#watched.size === 0 ? {} : { resourceSubscriptions: [...this.#watched] };
  }

  #watchStream(): ChangeStream {
    this.#watching ??= new ChangeStream({
      filter: {},
      timeoutMs: this.#listenTimeoutMs,
      open: (wanted, timeout) => this.#client.listen(wanted, { timeout }),
      missed: (missed) => this.#missed(missed),
      onError: this.#onListenError,
    });
    return this.#watching;
  }

  /** Used by tests and tools of our own; the gateway sends calls through `request`. */
  callTool: Client['callTool'] = (params, _resultSchema, options) =>
    this.request({ method: 'tools/call', params }, CallToolResultSchema, options) as never;

  listTools: Client['listTools'] = async (params, options) => {
    const listed = await this.#client.listTools(params, { ...options, cacheMode: 'bypass' });
    // Without a cursor the SDK walks every page, so this is the whole list.
    if (params?.cursor === undefined) this.#toolSchemas.clear();
    for (const tool of listed.tools) this.#toolSchemas.set(tool.name, tool.inputSchema);
    return listed as never;
  };

  listPrompts: Client['listPrompts'] = (params, options) =>
    this.#client.listPrompts(params, { ...options, cacheMode: 'bypass' }) as never;

  listResources: Client['listResources'] = (params, options) =>
    this.#client.listResources(params, { ...options, cacheMode: 'bypass' }) as never;

  listResourceTemplates: Client['listResourceTemplates'] = (params, options) =>
    this.#client.listResourceTemplates(params, { ...options, cacheMode: 'bypass' }) as never;
}
