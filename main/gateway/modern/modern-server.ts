// The SDK 2.x server that answers one modern request. It serves the methods the session server behind it
// advertises, forwarding each to it (legacy-dispatch.ts), and leaves the 2026-07-28 wire to the SDK: the method
// registry of the era (removed and unknown methods are -32601 on HTTP 404), request validation, and results
// stamped with `resultType`, cache fields and `_meta` serverInfo. What the gateway decides is here: the versions
// `server/discover` names, how long lists may be cached, a stable tool order, and which log messages a request
// may receive. The methods that may answer `input_required` (tools/call, prompts/get, resources/read) go through
// the endpoint's input flows (input-flows.ts), so that an upstream asking its client something becomes rounds of
// `input_required` and retries; the SDK checks each retry's `requestState` with the gateway's seal before the
// handler runs, and each round's embedded requests against the request's declared capabilities.
import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  Server,
  inputRequired,
  type ClientCapabilities,
  type HandlerResultTypeMap,
  type LoggingLevel,
  type RequestMethod,
  type ServerCapabilities,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { JSONRPCNotification } from '@modelcontextprotocol/sdk/types.js';
import type { InputExchange } from './input-flow.ts';
import type { FlowOwner, InputFlows } from './input-flows.ts';
import type { LegacyDispatch } from './legacy-dispatch.ts';
import { GATEWAY_PROTOCOL_VERSIONS } from './protocol-eras.ts';
import type { FlowState, RequestStateSeal } from './request-state.ts';

/**
 * How long a client may keep a list. Lists are per client (`cacheScope: private`) and change whenever a server
 * does; a listen stream announces each change, and a client without one is stale for at most this long.
 */
export const LIST_TTL_MS = 30_000;
/** What discover says changes only when the gateway restarts. */
export const DISCOVER_TTL_MS = 600_000;
/** The `_meta` key under which a list names the servers it is missing (session-server.ts). */
const UNAVAILABLE_META_KEY = 'dev.switchboard/unavailable';

type ForwardedMethod =
  | 'tools/list'
  | 'tools/call'
  | 'prompts/list'
  | 'prompts/get'
  | 'resources/list'
  | 'resources/read'
  | 'resources/templates/list'
  | 'completion/complete';

/** The methods each capability brings; a method whose capability is not advertised is unknown (404). */
const METHODS: Readonly<Record<'tools' | 'prompts' | 'resources' | 'completions', readonly ForwardedMethod[]>> = {
  tools: ['tools/list', 'tools/call'],
  prompts: ['prompts/list', 'prompts/get'],
  resources: ['resources/list', 'resources/read', 'resources/templates/list'],
  completions: ['completion/complete'],
};

const LIST_METHODS = new Set<string>(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list']);

/** The methods whose answer may be `input_required` (spec 2026-07-28, basic/patterns/mrtr, "Supported Requests"). */
type InputMethod = 'tools/call' | 'prompts/get' | 'resources/read';
export const INPUT_METHODS: ReadonlySet<string> = new Set([
  'tools/call',
  'prompts/get',
  'resources/read',
] satisfies InputMethod[]);

/** What a request needs to ask its client for input: the endpoint's flows and seal, and who it is for. */
export interface ModernInput {
  readonly flows: InputFlows;
  readonly seal: RequestStateSeal;
  readonly owner: FlowOwner;
  /** Keeps this request's session server for a flow that outlives the request; returns its release. */
  readonly hold: () => () => void;
}

const LOG_LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/** The session server's capabilities as 2026-07-28 knows them (tasks and anything unknown are left out). */
export function modernCapabilities(legacy: ServerCapabilities): ServerCapabilities {
  const { experimental, logging, completions, prompts, resources, tools } = legacy;
  return Object.fromEntries(
    Object.entries({ experimental, logging, completions, prompts, resources, tools }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}

/** The methods a request may call, given the advertised capabilities. */
export function servedMethods(capabilities: ServerCapabilities): ForwardedMethod[] {
  return (Object.keys(METHODS) as (keyof typeof METHODS)[])
    .filter((capability) => capabilities[capability] !== undefined)
    .flatMap((capability) => METHODS[capability]);
}

/**
 * The server for one request. Without `input`, nothing can ask the client for input: an upstream's request during
 * the call is refused at once (legacy-dispatch.ts).
 */
export function createModernServer(dispatch: LegacyDispatch, input?: ModernInput): Server {
  const { instructions, serverInfo } = dispatch.identity;
  const capabilities = modernCapabilities(dispatch.identity.capabilities as ServerCapabilities);
  const server = new Server(serverInfo, {
    capabilities,
    ...(instructions === undefined ? {} : { instructions }),
    supportedProtocolVersions: [...GATEWAY_PROTOCOL_VERSIONS],
    // A tampered, expired or foreign state is refused here, before any handler: -32602 "Invalid or expired
    // requestState" with data.reason "invalid_request_state".
    ...(input === undefined ? {} : { requestState: { verify: (state, ctx) => input.seal.verify(state, ctx) } }),
  });
  // Both eras, as the unsupported-version error lists them: the SDK's own discover names only modern versions.
  server.setRequestHandler('server/discover', () => ({
    supportedVersions: [...GATEWAY_PROTOCOL_VERSIONS],
    capabilities,
    ...(instructions === undefined ? {} : { instructions }),
    ttlMs: DISCOVER_TTL_MS,
    cacheScope: 'private' as const,
  }));
  for (const method of servedMethods(capabilities)) {
    if (input !== undefined && INPUT_METHODS.has(method))
      forwardWithInput(server, dispatch, method as InputMethod, input);
    else forward(server, dispatch, method);
  }
  return server;
}

function forward<M extends ForwardedMethod & RequestMethod>(server: Server, dispatch: LegacyDispatch, method: M): void {
  server.setRequestHandler(method, async (request, ctx) => {
    const params = (request.params ?? {}) as Record<string, unknown>;
    const result = await dispatch.request(method, params, {
      signal: ctx.mcpReq.signal,
      notify: (notification) => relay(notification, ctx),
    });
    return shape(method, result) as HandlerResultTypeMap[M];
  });
}

/**
 * Forwards a method that may answer `input_required`: a first request starts a flow, a retry (its `requestState`
 * already verified by the SDK) continues the one it names. Either ends in the final result, or in the upstream's
 * requests as `inputRequests` with the state of the next round.
 */
function forwardWithInput<M extends InputMethod>(
  server: Server,
  dispatch: LegacyDispatch,
  method: M,
  input: ModernInput,
): void {
  server.setRequestHandler(method, async (request, ctx) => {
    const params = (request.params ?? {}) as Record<string, unknown>;
    const progressToken = ctx.mcpReq._meta?.progressToken;
    const exchange: InputExchange = {
      signal: ctx.mcpReq.signal,
      capabilities: (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as
        ClientCapabilities | undefined,
      inputResponses: ctx.mcpReq.inputResponses,
      droppedKeys: ctx.mcpReq.droppedInputResponseKeys ?? [],
      notify: async (notification) => {
        // Progress goes under the token of the request being served now (a retry brings its own), or not at all.
        if (notification.method !== 'notifications/progress') return relay(notification, ctx);
        if (progressToken === undefined) return;
        await relay({ ...notification, params: { ...notification.params, progressToken } }, ctx);
      },
    };
    const state = ctx.mcpReq.requestState<FlowState>();
    const outcome =
      state === undefined
        ? await input.flows.start(input.owner, (call) => dispatch.request(method, params, call), exchange, input.hold)
        : await input.flows.resume(state, input.owner, exchange);
    if (outcome.kind === 'complete') return shape(method, outcome.result) as HandlerResultTypeMap[M];
    const requestState = await input.seal.mint(outcome.state, ctx);
    return inputRequired({ inputRequests: outcome.inputRequests, requestState }) as HandlerResultTypeMap[M];
  });
}

/**
 * Hands a notification of the session server to the request's own response stream. Log messages go only to a
 * request that asked for them with `_meta` logLevel, at that level or above (2026-07-28, server/utilities/logging).
 */
async function relay(notification: JSONRPCNotification, ctx: ServerContext): Promise<void> {
  if (notification.method === 'notifications/message') {
    const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
    const wanted = envelope?.[LOG_LEVEL_META_KEY] as LoggingLevel | undefined;
    const level = (notification.params as { level?: LoggingLevel } | undefined)?.level;
    if (wanted === undefined || level === undefined || LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(wanted)) return;
  }
  await ctx.mcpReq.notify({
    method: notification.method,
    ...(notification.params ? { params: notification.params } : {}),
  });
}

/** Cache fields and order: lists are private to the client, and a list missing a server must not be kept. */
function shape(method: ForwardedMethod, result: Record<string, unknown>): Record<string, unknown> {
  if (method === 'resources/read') return { ...result, ttlMs: 0, cacheScope: 'private' };
  if (!LIST_METHODS.has(method)) return result;
  const meta = result._meta as Record<string, unknown> | undefined;
  const partial = Array.isArray(meta?.[UNAVAILABLE_META_KEY]) && (meta[UNAVAILABLE_META_KEY] as unknown[]).length > 0;
  const shaped: Record<string, unknown> = { ...result, ttlMs: partial ? 0 : LIST_TTL_MS, cacheScope: 'private' };
  if (method === 'tools/list' && Array.isArray(result.tools)) {
    // A stable order, whatever order servers came up in (2026-07-28, server/tools "Listing Tools").
    shaped.tools = [...(result.tools as { name: string }[])].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }
  return shaped;
}
