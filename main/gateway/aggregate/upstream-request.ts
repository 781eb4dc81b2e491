// Sends one client request on to the server it belongs to (tools/call, prompts/get, resources/read,
// completion/complete) and brings the answer back. Every request has a timeout, follows its caller's
// cancellation (and the end of the caller's session), forwards progress under the caller's own token, and is
// counted as in flight on that server for as long as it waits (gateway notes 3 and 4). On a server with isolation
// it goes to the caller's own instance, started on first use, rather than the shared connection.
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  McpError,
  type Progress,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AuditOutcome } from '../../audit/audit-event.ts';
import type { UpstreamClient } from '../../supervisor/upstream-client.ts';
import { GatewayErrorCode } from '../http/http-reply.ts';
import { CallError } from './call-error.ts';
import type { InFlightRequest, InFlightRequests } from './in-flight.ts';
import { ProgressCoalescer } from './notification-rate.ts';
import type {
  RequestOwner,
  Upstream,
  UpstreamDirectory,
  UpstreamInstance,
  UpstreamLease,
} from './upstream-directory.ts';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Why a forwarded request was cut short by the gateway or its caller, when it was. */
export type Cut = 'caller' | 'total' | 'shutdown' | null;

export interface RequestTimeouts {
  readonly callMs: number;
  readonly callMaxTotalMs: number;
}

/** The result is validated once, by the client-facing Server; upstream it passes through untouched. */
const passthroughResult = z.looseObject({});

export interface Forwarded {
  readonly client: UpstreamClient;
  readonly server: string;
  readonly method: string;
  /** The client's params; `_meta.progressToken` is the client's and is replaced on this hop. */
  readonly params: { readonly _meta?: Record<string, unknown> } & Record<string, unknown>;
  readonly timeouts: RequestTimeouts;
  /** The caller's own instance of an isolated server, used instead of `client`; null or absent when shared. */
  readonly instance?: UpstreamInstance | null;
}

/** Who the request is for: the session as the registry knows it, and the client and session id it came with. */
export function ownerOf(
  session: string,
  context: { readonly client: string; readonly member?: string | null; readonly sessionId: string | null } | undefined,
): RequestOwner {
  // A per-client instance is per member too: members sharing a client name never share an upstream's state.
  const member = context?.member ?? null;
  const client = context === undefined ? null : member === null ? context.client : `${context.client}\0${member}`;
  return { session, client, sessionless: context !== undefined && context.sessionId === null };
}

/**
 * The server ready to take a request: an idle on-demand server is started and one starting is waited for, every
 * concurrent caller sharing that one start, until the attempt has settled (its own `startupMs` bounds it). Read
 * `client` of the answer: null means the start failed, and `unavailableMessage()` says why, with the log tail.
 * The caller's cancellation ends its wait, not the start. Any other server is returned as it is.
 */
export async function whenServing(
  directory: UpstreamDirectory,
  name: string,
  signal: AbortSignal | undefined,
): Promise<Upstream | undefined> {
  const upstream = directory.get(name);
  if (upstream === undefined || upstream.client !== null || upstream.demand === undefined) return upstream;
  if (upstream.onDemand !== true || (upstream.state.state !== 'idle' && upstream.state.state !== 'starting')) {
    return upstream;
  }
  const started = upstream.demand();
  if (signal === undefined) await started;
  else {
    signal.throwIfAborted();
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        started,
        new Promise<never>((_resolve, reject) => {
          onAbort = () => reject(new CallError(ErrorCode.RequestTimeout, `cancelled while server "${name}" started`));
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    }
  }
  return directory.get(name);
}

/** The params with the client's progress token taken out of `_meta` (and `_meta` left out once empty). */
function withoutProgressToken(params: Forwarded['params']): Record<string, unknown> {
  const { _meta, ...rest } = params;
  const { progressToken: _dropped, ...otherMeta } = _meta ?? {};
  return Object.keys(otherMeta).length > 0 ? { ...rest, _meta: otherMeta } : rest;
}

/** The caller's own instance ended while its request waited (its process exited, or its session ended). */
export class InstanceEndedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InstanceEndedError';
  }
}

export interface ForwardContext {
  readonly extra: Extra;
  /** The calling session as the session registry knows it, for telling whose request is waiting. */
  readonly session: string;
  /** The calling client's name, recorded with the server's own requests made during the call. */
  readonly client?: string | undefined;
  /** Whom the call is made for on a shared gateway, recorded with the server's own requests too. */
  readonly member?: string | null | undefined;
  readonly inFlight: InFlightRequests;
  /** Cutters of requests still waiting, for shutdown; this request adds its own while it waits. */
  readonly cutters?: Set<() => void>;
  readonly onCut?: (why: Exclude<Cut, null>) => void;
  /** Told, once the request has settled, how many progress notifications were coalesced away (T84). */
  readonly onProgressDropped?: (count: number) => void;
}

/**
 * Sends the request upstream. The SDK cuts it after `callMs` without progress and then tells the upstream
 * (notifications/cancelled); the total limit and the caller's cancellation abort it here, so the SDK tells the
 * upstream in those cases too (its own maxTotalTimeout rejects without telling anyone).
 */
export async function forwardRequest(request: Forwarded, context: ForwardContext): Promise<unknown> {
  const { extra } = context;
  // Progress tokens belong to one hop: the client's token is kept here and the SDK mints the upstream one.
  const progressToken = request.params._meta?.progressToken as string | number | undefined;
  const upstreamParams = request.params._meta === undefined ? request.params : withoutProgressToken(request.params);
  const controller = new AbortController();
  const cut = (why: Exclude<Cut, null>, reason: string): void => {
    if (controller.signal.aborted) return;
    context.onCut?.(why);
    controller.abort(reason);
  };
  const onCallerAbort = (): void => cut('caller', 'cancelled by the client');
  const onShutdown = (): void => cut('shutdown', 'the gateway is shutting down');
  if (extra.signal.aborted) onCallerAbort();
  else extra.signal.addEventListener('abort', onCallerAbort, { once: true });
  context.cutters?.add(onShutdown);
  const { timeouts } = request;
  const total = setTimeout(
    () => cut('total', `exceeded the total call limit of ${timeouts.callMaxTotalMs} ms`),
    timeouts.callMaxTotalMs,
  );
  const instance = request.instance ?? null;
  // Counted from before the instance starts: a server may ask its client something (roots) while it initializes.
  const waiting: InFlightRequest = {
    session: context.session,
    client: context.client,
    member: context.member,
    instance: instance?.key,
    notify: (notification) => extra.sendNotification(notification),
    ask: (serverRequest, signal) =>
      extra.sendRequest(serverRequest, passthroughResult, { signal, timeout: timeouts.callMs }),
  };
  const settled = context.inFlight.add(request.server, waiting);
  // At most PROGRESS_PER_SECOND reach the caller, the newest kept for the next slot (notification-rate.ts).
  const progress =
    progressToken === undefined
      ? null
      : new ProgressCoalescer<Progress>(
          (value) =>
            void extra
              .sendNotification({ method: 'notifications/progress', params: { ...value, progressToken } })
              .catch(() => {}),
        );
  let lease: UpstreamLease | null = null;
  try {
    lease = instance === null ? null : await instance.lease(controller.signal);
    const client = lease?.client ?? request.client;
    const result = await client.request({ method: request.method, params: upstreamParams }, passthroughResult, {
      signal: controller.signal,
      timeout: timeouts.callMs,
      resetTimeoutOnProgress: true,
      // Input a 2026-07-28 server asks for in its answer belongs to this call (legacy servers ignore it).
      origin: waiting,
      onprogress: progress === null ? undefined : (value) => progress.push(value),
    });
    // The latest progress goes out ahead of the result.
    progress?.flush();
    return result;
  } catch (error) {
    progress?.discard();
    const ended = lease?.ended() ?? null;
    if (ended !== null && error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
      throw new InstanceEndedError(ended);
    }
    throw error;
  } finally {
    lease?.release();
    settled();
    clearTimeout(total);
    extra.signal.removeEventListener('abort', onCallerAbort);
    context.cutters?.delete(onShutdown);
    if (progress !== null && progress.dropped > 0) context.onProgressDropped?.(progress.dropped);
  }
}

/**
 * The error a caller gets for a forwarded request that failed, and how it is audited. `where` names the server
 * and what was asked of it (`server "fs", tool "read"`).
 */
export function describeFailure(
  error: unknown,
  cut: Cut,
  where: string,
  timeouts: RequestTimeouts,
  unavailable: () => string | undefined,
  credentialNotice: () => string | null = () => null,
): { outcome: AuditOutcome; error: CallError } {
  if (cut === 'caller') {
    return {
      outcome: 'cancelled',
      error: new CallError(ErrorCode.RequestTimeout, `${where}: cancelled by the client`),
    };
  }
  if (cut === 'shutdown') {
    return {
      outcome: 'cancelled',
      error: new CallError(
        GatewayErrorCode.ServerUnavailable,
        `${where}: the gateway is shutting down and the call did not finish within gateway.drainMs; it was cancelled upstream`,
      ),
    };
  }
  if (cut === 'total') {
    return {
      outcome: 'timeout',
      error: new CallError(
        GatewayErrorCode.Timeout,
        `${where}: no result within the total call limit of ${timeouts.callMaxTotalMs} ms (timeouts.callMaxTotalMs); the call was cancelled upstream`,
        { limit: 'callMaxTotalMs', ms: timeouts.callMaxTotalMs },
      ),
    };
  }
  if (error instanceof CallError) return { outcome: 'unavailable', error };
  if (error instanceof InstanceEndedError) {
    return {
      outcome: 'unavailable',
      error: new CallError(
        GatewayErrorCode.ServerUnavailable,
        `${where}: the caller's own instance of the server went away during the call: ${error.message}`,
      ),
    };
  }
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) {
      return {
        outcome: 'timeout',
        error: new CallError(
          GatewayErrorCode.Timeout,
          `${where}: no answer or progress within the call timeout of ${timeouts.callMs} ms (timeouts.callMs); the call was cancelled upstream`,
          { limit: 'callMs', ms: timeouts.callMs },
        ),
      };
    }
    if (error.code === ErrorCode.ConnectionClosed) {
      const why = unavailable() ?? 'the connection closed';
      return {
        outcome: 'unavailable',
        error: new CallError(
          GatewayErrorCode.ServerUnavailable,
          `${where}: the server went away during the call. ${why}`,
        ),
      };
    }
    const message = error.message.replace(/^(MCP error -?\d+: )+/, '');
    // An upstream that refuses is often refusing an expired credential; say so when we know it has expired.
    const notice = credentialNotice();
    const full = notice === null ? `${where}: ${message}` : `${where}: ${message} (note: ${notice})`;
    return { outcome: 'protocol-error', error: new CallError(error.code, full, error.data) };
  }
  return {
    outcome: 'protocol-error',
    error: new CallError(
      ErrorCode.InternalError,
      `${where}: ${error instanceof Error ? error.message : String(error)}`,
    ),
  };
}
