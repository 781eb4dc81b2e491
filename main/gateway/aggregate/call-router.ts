// Sends one client's tools/call to the server that owns the tool and brings the answer back. Every call has a
// timeout, follows its caller's cancellation, forwards progress, is audited, and fails fast with a message naming
// the server when that server is not serving (gateway notes 3 and 4).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  McpError,
  type CallToolRequest,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { AuditOutcome } from '../../audit/audit-event.ts';
import { GatewayErrorCode } from '../http/http-reply.ts';
import type { ToolCatalog } from './tool-catalog.ts';
import { serverOfName } from './tool-names.ts';
import type { UpstreamDirectory } from './upstream-directory.ts';

/** The result is validated once, by the client-facing Server; upstream it passes through untouched. */
const passthroughResult = z.looseObject({});

export interface CallContext {
  readonly client: string;
  readonly sessionId: string | null;
  readonly protocolVersion: string | null;
  /** The server a `/mcp/<server>` endpoint is scoped to, or null for the aggregated `/mcp`. */
  readonly scope: string | null;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * An error for the caller, with the code and message exactly as they go on the wire. The SDK's McpError prefixes
 * its message with "MCP error <code>: ", which a client's McpError then prefixes again.
 */
export class CallError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = 'CallError';
    this.code = code;
    this.data = data;
  }
}

export interface CallRouterOptions {
  /** How long a call waits for a server that is starting, or whose tools are still being listed. */
  readonly listWaitMs: number;
}

/** Why a forwarded call was cut short by the gateway or its caller, when it was. */
type Cut = 'caller' | 'total' | 'shutdown' | null;

export class CallRouter {
  readonly #directory: UpstreamDirectory;
  readonly #catalog: ToolCatalog;
  readonly #audit: AuditLog;
  readonly #listWaitMs: number;
  #inFlight = 0;
  readonly #idle = new Set<() => void>();
  /** Cuts each forwarded call still waiting upstream; used once the drain time on shutdown is over. */
  readonly #cutters = new Set<() => void>();

  constructor(directory: UpstreamDirectory, catalog: ToolCatalog, audit: AuditLog, options: CallRouterOptions) {
    this.#directory = directory;
    this.#catalog = catalog;
    this.#audit = audit;
    this.#listWaitMs = options.listWaitMs;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves when no call is in flight (for draining on shutdown). */
  whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.add(resolve));
  }

  /**
   * For shutdown: lets calls in flight finish for up to `drainMs`, then cancels the rest upstream and answers
   * their callers with an error saying so, while their sessions are still open to carry it. Calls that arrive
   * meanwhile are drained the same way. Resolves when no call is in flight, or `settleMs` after the cut.
   */
  async drain(drainMs: number, settleMs = 2_000): Promise<void> {
    if (await this.#idleWithin(drainMs)) return;
    for (const cut of [...this.#cutters]) cut();
    await this.#idleWithin(settleMs);
  }

  async #idleWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const idle = await Promise.race([
      this.whenIdle().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    return idle;
  }

  async call(request: CallToolRequest, extra: Extra, context: CallContext): Promise<CallToolResult> {
    const started = performance.now();
    const requested = request.params.name;
    this.#inFlight += 1;
    try {
      let route = this.#resolve(requested, context.scope);
      const named = route?.server ?? context.scope ?? serverOfName(requested, this.#catalog.separator);
      // A server that has just come up may not be listed yet; a call to it waits as a list would, bounded.
      if (route === null && named !== null && (await this.#catalog.whenListed(named, this.#listWaitMs))) {
        route = this.#resolve(requested, context.scope);
      }
      const server = route?.server ?? named;
      const audit = (outcome: AuditOutcome, error: string | null) =>
        this.#audit.record({
          kind: 'tool-call',
          outcome,
          client: context.client,
          server,
          tool: route?.tool ?? requested,
          durationMs: performance.now() - started,
          error,
          protocolVersion: context.protocolVersion,
          sessionId: context.sessionId,
        });

      const upstream = server === null ? undefined : this.#directory.get(server);
      if (upstream && !upstream.client) {
        const message = upstream.unavailableMessage();
        audit('unavailable', message);
        throw new CallError(GatewayErrorCode.ServerUnavailable, message);
      }
      if (!route || !upstream?.client) {
        const message = `Unknown tool "${requested}"${context.scope ? ` on server "${context.scope}"` : ''}`;
        audit('unknown-tool', message);
        throw new CallError(ErrorCode.InvalidParams, message);
      }

      let cut: Cut = null;
      try {
        const result = await this.#forward(upstream.client, request, extra, route.tool, upstream.timeouts, (why) => {
          cut = why;
        });
        audit((result as CallToolResult).isError ? 'error' : 'ok', null);
        return result as CallToolResult;
      } catch (error) {
        const failure = describeFailure(error, cut, route.server, route.tool, upstream.timeouts, () =>
          this.#directory.get(route.server)?.unavailableMessage(),
        );
        audit(failure.outcome, failure.error.message);
        throw failure.error;
      }
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) {
        for (const resolve of this.#idle) resolve();
        this.#idle.clear();
      }
    }
  }

  #resolve(name: string, scope: string | null): { server: string; tool: string } | null {
    if (scope === null) return this.#catalog.route(name);
    return this.#catalog.tool(scope, name) ? { server: scope, tool: name } : null;
  }

  /**
   * Sends the call upstream. The SDK cuts it after `callMs` without progress and then tells the upstream
   * (notifications/cancelled); the total limit and the caller's cancellation abort it here, so the SDK tells the
   * upstream in those cases too (its own maxTotalTimeout rejects without telling anyone).
   */
  async #forward(
    client: Client,
    request: CallToolRequest,
    extra: Extra,
    tool: string,
    timeouts: { callMs: number; callMaxTotalMs: number },
    onCut: (why: Exclude<Cut, null>) => void,
  ): Promise<unknown> {
    // Progress tokens belong to one hop: the client's token is kept here and the SDK mints the upstream one.
    const { _meta, ...params } = request.params;
    const progressToken = _meta?.progressToken;
    const { progressToken: _dropped, ...otherMeta } = _meta ?? {};
    const upstreamParams = { ...params, name: tool, ...(Object.keys(otherMeta).length ? { _meta: otherMeta } : {}) };
    const controller = new AbortController();
    const cut = (why: Exclude<Cut, null>, reason: string): void => {
      if (controller.signal.aborted) return;
      onCut(why);
      controller.abort(reason);
    };
    const onCallerAbort = (): void => cut('caller', 'cancelled by the client');
    const onShutdown = (): void => cut('shutdown', 'the gateway is shutting down');
    if (extra.signal.aborted) onCallerAbort();
    else extra.signal.addEventListener('abort', onCallerAbort, { once: true });
    this.#cutters.add(onShutdown);
    const total = setTimeout(
      () => cut('total', `exceeded the total call limit of ${timeouts.callMaxTotalMs} ms`),
      timeouts.callMaxTotalMs,
    );
    try {
      return await client.request({ method: 'tools/call', params: upstreamParams }, passthroughResult, {
        signal: controller.signal,
        timeout: timeouts.callMs,
        resetTimeoutOnProgress: true,
        onprogress:
          progressToken === undefined
            ? undefined
            : (progress) =>
                void extra
                  .sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken } })
                  .catch(() => {}),
      });
    } finally {
      clearTimeout(total);
      extra.signal.removeEventListener('abort', onCallerAbort);
      this.#cutters.delete(onShutdown);
    }
  }
}

function describeFailure(
  error: unknown,
  cut: Cut,
  server: string,
  tool: string,
  timeouts: { callMs: number; callMaxTotalMs: number },
  unavailable: () => string | undefined,
): { outcome: AuditOutcome; error: CallError } {
  const where = `server "${server}", tool "${tool}"`;
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
    const message = error.message.replace(/^MCP error -?\d+: /, '');
    return { outcome: 'error', error: new CallError(error.code, `${where}: ${message}`, error.data) };
  }
  return {
    outcome: 'error',
    error: new CallError(
      ErrorCode.InternalError,
      `${where}: ${error instanceof Error ? error.message : String(error)}`,
    ),
  };
}
