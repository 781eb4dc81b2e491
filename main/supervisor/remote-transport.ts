// Connecting to a remote server: Streamable HTTP first, legacy SSE when that is all the server speaks.
// A server of the 2024-11-05 era answers the Streamable HTTP POST with a 4xx (404 or 405, for the URL serves only
// GET); the spec's backwards-compatibility section says to try SSE then. 401 and 403 are not that sign: they are
// an authentication problem, reported as such rather than hidden behind a second failure.
import type { StreamableHTTPClientTransport as ModernHTTPTransport } from '@modelcontextprotocol/client';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RemoteServerConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import { guardedFetch, type BlockedAddressError, type FetchLike } from '../net/guarded-fetch.ts';
import { addressRuleFor } from '../oauth/endpoint-policy.ts';
import { LoginRequiredError, OAuthRefusedError, type SwitchboardOAuthProvider } from '../oauth/oauth-provider.ts';
import { ConnectCancelledError, connectWithin, SpawnError, StartFailure, StartupTimeoutError } from './connect.ts';
import { boundedFetch } from './bounded-fetch.ts';
import { EXIT_TAIL_LINES } from './exit-info.ts';
import type { LogSink } from './log-sink.ts';
import type { ModernUpstreamClient } from './modern-upstream-client.ts';
import { MODERN_VERSION } from './modern-version.ts';

export type RemoteKind = 'streamable-http' | 'sse';

export type RemoteConnection =
  | { readonly client: Client; readonly transport: Transport; readonly kind: RemoteKind }
  | { readonly client: ModernUpstreamClient; readonly transport: ModernHTTPTransport; readonly kind: 'modern' };

export interface ConnectRemoteOptions {
  /** A fresh client per attempt: a Client that failed to connect is not reused. */
  readonly newClient: () => Client;
  /** The same for a server that speaks only 2026-07-28. */
  readonly newModernClient?: (() => Promise<ModernUpstreamClient>) | undefined;
  /** The whole budget, both attempts included. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Called once when the connection that was handed out closes. */
  readonly onClose: () => void;
  readonly onError?: (error: Error) => void;
  readonly signal?: AbortSignal;
  /** Rewrites every message from the server before the client sees it. */
  readonly inbound?: ((message: JSONRPCMessage) => JSONRPCMessage) | undefined;
  /** The server's OAuth client, when it may need authorization; built on `remoteFetch` of the same config. */
  readonly authProvider?: SwitchboardOAuthProvider | undefined;
  /** The server's name, in the error of a message over its `maxMessageBytes`; its host when absent. */
  readonly server?: string | undefined;
  /** The fetch every request goes through; `remoteFetch(config)` unless the caller shares one. */
  readonly fetch?: FetchLike | undefined;
}

/**
 * The fetch of a remote server's connection: the server's own origin under its address rule, other origins (its
 * OAuth endpoints) under the stricter OAuth rule; credentials never follow a redirect to another origin.
 */
export function remoteFetch(config: RemoteServerConfig, onBlocked?: (error: BlockedAddressError) => void): FetchLike {
  const context = { serverOrigin: new URL(config.url).origin, allowPrivateNetwork: config.oauth.allowPrivateNetwork };
  const own = config.allowLinkLocal ? 'any' : 'no-metadata';
  return guardedFetch({
    rule: own,
    ruleFor: (url) => (url.origin === context.serverOrigin ? own : addressRuleFor(url, context)),
    configuredHeaders: Object.keys(config.headers),
    ...(onBlocked === undefined ? {} : { onBlocked }),
  });
}

/**
 * Whether a failed `initialize` means "this server speaks only 2026-07-28": HTTP 400 with -32022 naming that
 * revision among the supported ones. The SDK 1.x transport reports only the status and the body's text.
 */
export function isModernOnlyRefusal(error: unknown): boolean {
  if (!(error instanceof StreamableHTTPError) || error.code !== 400) return false;
  return /"code"\s*:\s*-32022/.test(error.message) && error.message.includes(`"${MODERN_VERSION}"`);
}

/** Whether a failed Streamable HTTP attempt means "this server speaks only legacy SSE". */
export function isLegacyServerError(error: unknown): boolean {
  if (isModernOnlyRefusal(error)) return false;
  if (!(error instanceof StreamableHTTPError) || error.code === undefined) return false;
  return error.code >= 400 && error.code < 500 && error.code !== 401 && error.code !== 403;
}

function makeTransport(
  kind: RemoteKind,
  url: URL,
  config: RemoteServerConfig,
  fetch: FetchLike,
  authProvider: SwitchboardOAuthProvider | undefined,
): Transport {
  const requestInit = { headers: { ...config.headers } };
  // Every request of the connection, redirects, OAuth and the SSE stream included, goes through the address guard.
  const auth = authProvider === undefined ? {} : { authProvider };
  if (authProvider !== undefined) fetch = noticingStepUp(fetch, authProvider);
  return kind === 'streamable-http'
    ? new StreamableHTTPClientTransport(url, { requestInit, fetch, ...auth })
    : new SSEClientTransport(url, { requestInit, fetch, eventSourceInit: { fetch }, ...auth });
}

/** The SDK validates OAuth metadata with zod and throws its issues as they are; this names them for a person. */
function invalidMetadata(error: unknown): string | null {
  const issues = (error as { issues?: unknown } | null)?.issues;
  if (!Array.isArray(issues) || issues.length === 0) return null;
  const described = issues.map((issue: { path?: unknown[]; message?: string }) => {
    const path = Array.isArray(issue.path) ? issue.path.join('.') : '';
    return `${path === '' ? '' : `${path}: `}${issue.message ?? 'invalid'}`;
  });
  return `its metadata is invalid (${described.join('; ')})`;
}

/** Tells the OAuth provider of a step-up challenge before the SDK reacts to it. */
function noticingStepUp(fetch: FetchLike, provider: SwitchboardOAuthProvider): FetchLike {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (response.status === 403 && /insufficient_scope/.test(response.headers.get('www-authenticate') ?? '')) {
      provider.onInsufficientScope();
    }
    return response;
  };
}

/** A connect refused by the address guard: retrying cannot help, the address is refused by rule. */
export class BlockedConnectError extends Error {
  readonly blocked: BlockedAddressError;
  constructor(blocked: BlockedAddressError) {
    super(blocked.message);
    this.name = 'BlockedConnectError';
    this.blocked = blocked;
  }
}

export async function connectRemote(
  config: RemoteServerConfig,
  options: ConnectRemoteOptions,
): Promise<RemoteConnection> {
  const url = new URL(config.url);
  const deadline = Date.now() + options.timeoutMs;
  let blocked: BlockedAddressError | null = null;
  const fetch = boundedFetch(options.fetch ?? remoteFetch(config, (error) => (blocked ??= error)), {
    server: options.server ?? url.host,
    maxMessageBytes: config.maxMessageBytes,
  });
  const attempt = (kind: RemoteKind): Promise<RemoteConnection> =>
    connectWithin({
      client: options.newClient(),
      transport: makeTransport(kind, url, config, fetch, options.authProvider),
      timeoutMs: Math.max(1, deadline - Date.now()),
      limitMs: options.timeoutMs,
      onClose: options.onClose,
      onError: options.onError,
      signal: options.signal,
      inbound: options.inbound,
    }).then(
      ({ client, transport }) => ({ client, transport, kind }),
      (error: unknown) => {
        if (error instanceof LoginRequiredError || error instanceof OAuthRefusedError) throw error;
        const invalid = options.authProvider === undefined ? null : invalidMetadata(error);
        if (invalid !== null)
          throw new OAuthRefusedError(`refused the authorization server of ${url.origin}: ${invalid}`);
        throw blocked === null ? error : new BlockedConnectError(blocked);
      },
    );

  const modern = (): Promise<RemoteConnection> =>
    connectModern(url, config, fetch, options, Math.max(1, deadline - Date.now())).catch((error: unknown) => {
      throw blocked === null ? error : new BlockedConnectError(blocked);
    });
  if (config.protocol === MODERN_VERSION) return modern();
  if (config.transport === 'sse') return attempt('sse');
  try {
    return await attempt('streamable-http');
  } catch (error) {
    if (isModernOnlyRefusal(error)) {
      if (config.protocol === '2025-11-25') {
        throw new SpawnError(
          `${url.origin}${url.pathname} speaks only ${MODERN_VERSION} and this server's "protocol" is "2025-11-25"; set it to "auto" or "${MODERN_VERSION}"`,
        );
      }
      options.logger.info('server speaks only 2026-07-28; connecting in that era', { url: url.origin + url.pathname });
      return modern();
    }
    if (!isLegacyServerError(error)) throw error;
    options.logger.info('server does not speak Streamable HTTP; trying legacy SSE', {
      url: url.origin + url.pathname,
      status: (error as StreamableHTTPError).code,
    });
  }
  return attempt('sse');
}

/**
 * Connects in the 2026-07-28 era: `server/discover` within the time left, then the listen stream for list changes.
 * OAuth is not offered on this path yet: a server that answers 401 fails to connect, saying so.
 */
async function connectModern(
  url: URL,
  config: RemoteServerConfig,
  fetch: FetchLike,
  options: ConnectRemoteOptions,
  timeoutMs: number,
): Promise<RemoteConnection> {
  if (options.newModernClient === undefined)
    throw new Error(`${url.origin} speaks only ${MODERN_VERSION}, not offered here`);
  const client = await options.newModernClient();
  // The SDK 2.x client is loaded by the first server that speaks only 2026-07-28, not by every start.
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { ...config.headers } }, fetch });
  const timer = AbortSignal.timeout(timeoutMs);
  const signal = options.signal === undefined ? timer : AbortSignal.any([timer, options.signal]);
  try {
    await client.connect(transport, { timeout: timeoutMs, signal });
    // After connect, where the SDK 2.x client has put its own handler: what the server sends from now on (results,
    // notifications, embedded input requests) is masked and counted, as on a 2025 connection.
    if (options.inbound !== undefined) rewriteInbound(transport, options.inbound);
    await client.listenForChanges(timeoutMs, options.onError);
  } catch (error) {
    void client.close().catch(() => {});
    if (options.signal?.aborted) throw new ConnectCancelledError();
    if (timer.aborted) throw new StartupTimeoutError(options.timeoutMs);
    throw error;
  }
  hearClose(transport, options);
  return { client, transport, kind: 'modern' };
}

function rewriteInbound(transport: ModernHTTPTransport, inbound: (message: JSONRPCMessage) => JSONRPCMessage): void {
  const handle = transport.onmessage;
  if (handle === undefined) return;
  transport.onmessage = (message) => handle(inbound(message));
}

/**
 * A 2026-07-28 connection has no lasting stream whose end says the server went away (health checks notice that);
 * it closes when we close it (failed health checks, stop). Either way the supervisor hears it once, as it hears a
 * 2025 connection close, and transport errors go where a server's stderr goes.
 */
function hearClose(transport: ModernHTTPTransport, options: ConnectRemoteOptions): void {
  const closed = transport.onclose;
  let heard = false;
  transport.onclose = () => {
    closed?.();
    if (heard) return;
    heard = true;
    options.onClose();
  };
  const errored = transport.onerror;
  transport.onerror = (error) => {
    errored?.(error);
    options.onError?.(error);
  };
}

export interface RemoteServerConnectOptions extends Omit<ConnectRemoteOptions, 'onError'> {
  /** Transport errors are written here, where a stdio server's stderr would go. */
  readonly sink: LogSink;
  readonly now: () => number;
}

/** Connects a configured remote server; a failure is thrown as a StartFailure naming the URL and the error. */
export async function connectRemoteServer(
  config: RemoteServerConfig,
  options: RemoteServerConnectOptions,
): Promise<RemoteConnection & { readonly mark: number }> {
  const { sink } = options;
  const note = (error: Error): void =>
    sink.write(Buffer.from(`[${new Date().toISOString()}] ${error.message.replace(/\s+/g, ' ')}\n`));
  sink.endLine();
  const mark = sink.mark;
  try {
    return { ...(await connectRemote(config, { ...options, onError: note })), mark };
  } catch (error) {
    if (error instanceof ConnectCancelledError || error instanceof LoginRequiredError) throw error;
    if (error instanceof SpawnError) {
      note(error);
      throw error;
    }
    if (error instanceof OAuthRefusedError) {
      note(error as Error);
      throw new SpawnError(error.message);
    }
    if (error instanceof BlockedConnectError) {
      const message = `${error.message}; set "allowLinkLocal": true on this server if it really lives there`;
      note(new Error(message));
      throw new SpawnError(message);
    }
    const reason =
      error instanceof StartupTimeoutError
        ? error.message
        : `failed to connect to ${config.url}: ${error instanceof Error ? error.message : String(error)}`;
    note(new Error(reason));
    const stderrTail = sink.linesSince(mark, EXIT_TAIL_LINES);
    throw new StartFailure({ code: null, signal: null, stderrTail, at: options.now(), reason }, false);
  }
}
