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

export class CallRouter {
  readonly #directory: UpstreamDirectory;
  readonly #catalog: ToolCatalog;
  readonly #audit: AuditLog;
  #inFlight = 0;
  #idle: (() => void) | null = null;

  constructor(directory: UpstreamDirectory, catalog: ToolCatalog, audit: AuditLog) {
    this.#directory = directory;
    this.#catalog = catalog;
    this.#audit = audit;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves when no call is in flight (for draining on shutdown). */
  whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#idle = resolve));
  }

  async call(request: CallToolRequest, extra: Extra, context: CallContext): Promise<CallToolResult> {
    const started = performance.now();
    const requested = request.params.name;
    const route = this.#resolve(requested, context.scope);
    const server = route?.server ?? context.scope ?? serverOfName(requested, this.#catalog.separator);
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
    if (!route || !upstream) {
      if (upstream && !upstream.client) {
        const message = upstream.unavailableMessage();
        audit('unavailable', message);
        throw new McpError(GatewayErrorCode.ServerUnavailable, message);
      }
      const message = `Unknown tool "${requested}"${context.scope ? ` on server "${context.scope}"` : ''}`;
      audit('unknown-tool', message);
      throw new McpError(ErrorCode.InvalidParams, message);
    }
    const client = upstream.client;
    if (!client) {
      const message = upstream.unavailableMessage();
      audit('unavailable', message);
      throw new McpError(GatewayErrorCode.ServerUnavailable, message);
    }

    this.#inFlight += 1;
    try {
      const result = await this.#forward(client, request, extra, route.tool, upstream.timeouts);
      audit((result as CallToolResult).isError ? 'error' : 'ok', null);
      return result as CallToolResult;
    } catch (error) {
      const failure = describeFailure(error, route.server, route.tool, upstream.timeouts.callMs, () =>
        this.#directory.get(route.server)?.unavailableMessage(),
      );
      audit(failure.outcome, failure.error.message);
      throw failure.error;
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0 && this.#idle) {
        this.#idle();
        this.#idle = null;
      }
    }
  }

  #resolve(name: string, scope: string | null): { server: string; tool: string } | null {
    if (scope === null) return this.#catalog.route(name);
    return this.#catalog.tool(scope, name) ? { server: scope, tool: name } : null;
  }

  #forward(
    client: Client,
    request: CallToolRequest,
    extra: Extra,
    tool: string,
    timeouts: { callMs: number; callMaxTotalMs: number },
  ): Promise<unknown> {
    // Progress tokens belong to one hop: the client's token is kept here and the SDK mints the upstream one.
    const { _meta, ...params } = request.params;
    const progressToken = _meta?.progressToken;
    const { progressToken: _dropped, ...otherMeta } = _meta ?? {};
    const upstreamParams = { ...params, name: tool, ...(Object.keys(otherMeta).length ? { _meta: otherMeta } : {}) };
    return client.request({ method: 'tools/call', params: upstreamParams }, passthroughResult, {
      signal: extra.signal,
      timeout: timeouts.callMs,
      resetTimeoutOnProgress: true,
      maxTotalTimeout: timeouts.callMaxTotalMs,
      onprogress:
        progressToken === undefined
          ? undefined
          : (progress) =>
              void extra
                .sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken } })
                .catch(() => {}),
    });
  }
}

function describeFailure(
  error: unknown,
  server: string,
  tool: string,
  callMs: number,
  unavailable: () => string | undefined,
): { outcome: AuditOutcome; error: McpError } {
  const where = `server "${server}", tool "${tool}"`;
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) {
      return {
        outcome: 'timeout',
        error: new McpError(
          GatewayErrorCode.Timeout,
          `${where}: no answer within the call timeout (${callMs} ms without progress, or the total limit); the call was cancelled upstream`,
        ),
      };
    }
    if (error.code === ErrorCode.ConnectionClosed) {
      const why = unavailable() ?? 'the connection closed';
      return {
        outcome: 'unavailable',
        error: new McpError(
          GatewayErrorCode.ServerUnavailable,
          `${where}: the server went away during the call. ${why}`,
        ),
      };
    }
    const message = error.message.replace(/^MCP error -?\d+: /, '');
    return { outcome: 'error', error: new McpError(error.code, `${where}: ${message}`, error.data) };
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return { outcome: 'cancelled', error: new McpError(ErrorCode.RequestTimeout, `${where}: cancelled by the client`) };
  }
  return {
    outcome: 'error',
    error: new McpError(ErrorCode.InternalError, `${where}: ${error instanceof Error ? error.message : String(error)}`),
  };
}
