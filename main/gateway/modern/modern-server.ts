// The SDK 2.x server that answers one modern request. It serves the methods the session server behind it
// advertises, forwarding each to it (legacy-dispatch.ts), and leaves the 2026-07-28 wire to the SDK: the method
// registry of the era (removed and unknown methods are -32601 on HTTP 404), request validation, and results
// stamped with `resultType`, cache fields and `_meta` serverInfo. What the gateway decides is here: the versions
// `server/discover` names, how long lists may be cached, a stable tool order, and which log messages a request
// may receive.
import {
  LOG_LEVEL_META_KEY,
  Server,
  type HandlerResultTypeMap,
  type LoggingLevel,
  type RequestMethod,
  type ServerCapabilities,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { JSONRPCNotification } from '@modelcontextprotocol/sdk/types.js';
import type { LegacyDispatch } from './legacy-dispatch.ts';
import { GATEWAY_PROTOCOL_VERSIONS } from './protocol-eras.ts';

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

export function createModernServer(dispatch: LegacyDispatch): Server {
  const { instructions, serverInfo } = dispatch.identity;
  const capabilities = modernCapabilities(dispatch.identity.capabilities as ServerCapabilities);
  const server = new Server(serverInfo, {
    capabilities,
    ...(instructions === undefined ? {} : { instructions }),
    supportedProtocolVersions: [...GATEWAY_PROTOCOL_VERSIONS],
  });
  // Both eras, as the unsupported-version error lists them: the SDK's own discover names only modern versions.
  server.setRequestHandler('server/discover', () => ({
    supportedVersions: [...GATEWAY_PROTOCOL_VERSIONS],
    capabilities,
    ...(instructions === undefined ? {} : { instructions }),
    ttlMs: DISCOVER_TTL_MS,
    cacheScope: 'private' as const,
  }));
  for (const method of servedMethods(capabilities)) forward(server, dispatch, method);
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
