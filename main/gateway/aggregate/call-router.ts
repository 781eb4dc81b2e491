// Sends one client's tools/call to the server that owns the tool and brings the answer back. Every call has a
// timeout, follows its caller's cancellation, forwards progress, is audited, and fails fast with a message naming
// the server when that server is not serving (gateway notes 3 and 4). A result that breaks the tool's declared
// outputSchema is withheld (output-check.ts, T66).
import {
  ErrorCode,
  type CallToolRequest,
  type CallToolResult,
  type ClientCapabilities,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { AuditEventInput, AuditOutcome } from '../../audit/audit-event.ts';
import { DEFAULT_DECISION, firstText, jsonSize, upstreamErrorDetail } from '../../audit/audit-fields.ts';
import type { CallPolicy } from '../../policy/call-policy.ts';
import { SchemaValidator } from '../../policy/schema-validator.ts';
import { GatewayErrorCode } from '../http/http-reply.ts';
import { confirmerFor, refusalAnswer, refusalText } from './call-policy.ts';
import { CallError } from './call-error.ts';
import { InFlightRequests } from './in-flight.ts';
import { isCacheable, ResultCache } from './result-cache.ts';
import { GATEWAY_META_PREFIX } from './session-server.ts';
import { checkToolOutput } from './output-check.ts';
import type { ToolCatalog } from './tool-catalog.ts';
import { serverOfName } from './tool-names.ts';
import type { UpstreamDirectory } from './upstream-directory.ts';
import { describeFailure, forwardRequest, ownerOf, whenServing, type Cut, type Extra } from './upstream-request.ts';

export { CallError } from './call-error.ts';

export interface CallContext {
  readonly client: string;
  /** Whom the calls are made for on a shared gateway (audited with each); null or absent for a local token. */
  readonly member?: string | null;
  readonly sessionId: string | null;
  readonly protocolVersion: string | null;
  /** The server a `/mcp/<server>` endpoint is scoped to, or null for the aggregated `/mcp`. */
  readonly scope: string | null;
  /** The session as the session registry knows it (session-registry.ts); `sessionId` when not given. */
  readonly peer?: string;
  /** What the calling client declared; a policy confirmation asks it only when it can answer elicitation. */
  readonly clientCapabilities?: ClientCapabilities;
  /** What the response stream of a request holds unread, and its limit; null when it is not an SSE stream (T83). */
  readonly streamUnread?: (id: RequestId) => { readonly unread: number; readonly limit: number } | null;
}

export interface CallRouterOptions {
  /** How long a call waits for a server that is starting, or whose tools are still being listed. */
  readonly listWaitMs: number;
  /** Shared with the log router, which needs to know who is waiting on each server; one of its own otherwise. */
  readonly inFlight?: InFlightRequests;
  /** Decides every call before it is forwarded (main/policy/); without one every call is allowed. */
  readonly policy?: CallPolicy;
}

export class CallRouter {
  readonly #directory: UpstreamDirectory;
  readonly #catalog: ToolCatalog;
  readonly #audit: AuditLog;
  readonly #listWaitMs: number;
  readonly policy: CallPolicy | null;
  /** Degraded mode's last good results of cacheable tools. */
  readonly #results = new ResultCache();
  /** Requests waiting on each server, by session. */
  readonly upstreamRequests: InFlightRequests;
  #inFlight = 0;
  readonly #idle = new Set<() => void>();
  /** Cuts each forwarded call still waiting upstream; used once the drain time on shutdown is over. */
  readonly #cutters = new Set<() => void>();
  /** Checks results against the tools' outputSchemas. */
  readonly #outputs = new SchemaValidator();

  constructor(directory: UpstreamDirectory, catalog: ToolCatalog, audit: AuditLog, options: CallRouterOptions) {
    this.#directory = directory;
    this.#catalog = catalog;
    this.#audit = audit;
    this.#listWaitMs = options.listWaitMs;
    this.policy = options.policy ?? null;
    this.upstreamRequests = options.inFlight ?? new InFlightRequests();
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
      const args = request.params.arguments;
      let decision: { decision: string; rule: string; detail?: Record<string, unknown> } = DEFAULT_DECISION;
      let progressDropped = 0;
      // Awaited before the answer goes out: a client never holds a result whose record could still be lost.
      const audit = (outcome: AuditOutcome, error: string | null, more: Partial<AuditEventInput> = {}) =>
        this.#audit.record({
          kind: 'request',
          method: 'tools/call',
          outcome,
          client: context.client,
          member: context.member ?? null,
          server,
          target: route?.tool ?? requested,
          arguments: args,
          ...withProgressDropped(decision, progressDropped),
          durationMs: performance.now() - started,
          requestBytes: jsonSize(args),
          error,
          protocolVersion: context.protocolVersion,
          sessionId: context.sessionId,
          ...more,
        });

      // An on-demand server is started by its first call, which waits for it and goes on (listed from the cache).
      const upstream = server === null ? undefined : await whenServing(this.#directory, server, extra.signal);
      const unavailable = async (): Promise<never> => {
        const message = upstream!.unavailableMessage();
        await audit('unavailable', message);
        throw new CallError(GatewayErrorCode.ServerUnavailable, message);
      };
      // A server that is down fails the call at once, unless the tool may be answered from its last good result
      // (degraded mode), which policy must allow first like any call.
      const down = upstream !== undefined && !upstream.client;
      // A server that is down has no current list: its last one says what the name was.
      const known = down && route === null ? this.#catalog.knownTool(requested, context.scope) : null;
      if (known !== null) route = { server: known.server, tool: known.tool };
      const definition =
        route === null ? undefined : (this.#catalog.tool(route.server, route.tool) ?? known?.definition);
      const cacheable = route !== null && isCacheable(upstream?.degraded, definition, route.tool);
      if (down && !cacheable) await unavailable();
      const unknown = `Unknown tool "${requested}"${context.scope ? ` on server "${context.scope}"` : ''}`;
      if (!route || upstream === undefined || (!down && !upstream.client)) {
        await audit('unknown-tool', unknown);
        throw new CallError(ErrorCode.InvalidParams, unknown);
      }

      // Policy decides before anything reaches the server; its rule is what the audit record names.
      let release = (): void => {};
      if (this.policy !== null) {
        const admission = await this.policy.admit({
          client: context.client,
          server: route.server,
          tool: route.tool,
          definition,
          args,
          confirm: confirmerFor(extra, context.clientCapabilities),
        });
        const detail = admission.detail === null ? {} : { detail: admission.detail };
        if (!admission.ok) {
          decision = { decision: 'deny', rule: admission.rule, ...detail };
          await audit(admission.outcome, refusalText(admission, unknown));
          const answer = refusalAnswer(admission, unknown);
          if (answer.error !== null) throw answer.error;
          return answer.result;
        }
        decision = { decision: 'allow', rule: admission.rule, ...detail };
        release = admission.release;
      }

      if (!upstream.client) {
        release();
        const hit = this.#results.find(route.server, route.tool, args, upstream.degraded!.maxAgeMs);
        if (hit === null) return await unavailable();
        const ageMs = Date.now() - hit.storedAt;
        const reason = upstream.unavailableMessage();
        decision = { ...decision, detail: { ...decision.detail, cached: { ageMs, storedAt: hit.storedAt } } };
        const answer = cachedAnswer(hit.result, route.server, ageMs, hit.storedAt, reason);
        await audit('ok', null, { responseBytes: jsonSize(answer) });
        return answer;
      }

      let cut: Cut = null;
      // A result withheld (breaking its outputSchema, or past the stream's cap) is audited where that is found, not
      // again as a failure.
      let withheld: CallError | null = null;
      try {
        // Progress tokens belong to one hop: forwardRequest keeps the client's and the SDK mints the upstream one.
        const result = await forwardRequest(
          {
            client: upstream.client,
            server: route.server,
            method: 'tools/call',
            params: { ...request.params, name: route.tool },
            timeouts: upstream.timeouts,
            instance: upstream.instanceFor?.(ownerOf(context.peer ?? context.sessionId ?? '', context)) ?? null,
          },
          {
            extra,
            session: context.peer ?? context.sessionId ?? '',
            client: context.client,
            member: context.member,
            inFlight: this.upstreamRequests,
            cutters: this.#cutters,
            onCut: (why) => (cut = why),
            onProgressDropped: (count) => (progressDropped = count),
          },
        );
        const called = result as CallToolResult;
        const responseBytes = jsonSize(called);
        const where = `server "${route.server}", tool "${route.tool}"`;
        const output = checkToolOutput(this.#catalog.tool(route.server, route.tool), called, this.#outputs, where);
        if (!output.ok) {
          const detail = { ...decision.detail, outputSchema: { problems: output.problems } };
          await audit('protocol-error', output.message, { responseBytes, detail });
          withheld = new CallError(ErrorCode.InternalError, output.message, {
            server: route.server,
            tool: route.tool,
            problems: output.problems,
          });
          throw withheld;
        }
        if (output.note !== null) decision = { ...decision, detail: { ...decision.detail, outputSchema: output.note } };
        withheld = streamOverflow(context, extra, responseBytes ?? 0, route);
        if (withheld !== null) {
          await audit('protocol-error', withheld.message, { responseBytes });
          throw withheld;
        }
        if (!called.isError) {
          if (cacheable) this.#results.store(route.server, route.tool, args, called, responseBytes ?? 0);
          await audit('ok', null, { responseBytes });
          return called;
        }
        await audit('tool-error', firstText(called), { responseBytes, errorDetail: called.content });
        // A tool that fails while its secret has expired is most likely failing because of it.
        const notice = this.#directory.get(route.server)?.credentialNotice?.() ?? null;
        if (notice === null || !Array.isArray(called.content)) return called;
        return { ...called, content: [...called.content, { type: 'text', text: `note from Switchboard: ${notice}` }] };
      } catch (error) {
        if (error === withheld) throw error;
        const failure = describeFailure(
          error,
          cut,
          `server "${route.server}", tool "${route.tool}"`,
          upstream.timeouts,
          () => this.#directory.get(route.server)?.unavailableMessage(),
          () => this.#directory.get(route.server)?.credentialNotice?.() ?? null,
        );
        await audit(failure.outcome, failure.error.message, { errorDetail: upstreamErrorDetail(error) });
        throw failure.error;
      } finally {
        release();
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
}

/** The decision as audited, with the progress notifications coalesced away when there were any (T84). */
function withProgressDropped<D extends { detail?: Record<string, unknown> }>(decision: D, dropped: number): D {
  return dropped === 0 ? decision : { ...decision, detail: { ...decision.detail, progressDropped: dropped } };
}

/**
 * The error for a result that would take its SSE stream past the unread limit, or null when it fits (T83). The
 * client is reading slower than the answer comes: rather than hold the result for it, the call fails and the
 * stream ends with this error.
 */
function streamOverflow(
  context: CallContext,
  extra: Extra,
  bytes: number,
  route: { server: string; tool: string },
): CallError | null {
  const stream = context.streamUnread?.(extra.requestId) ?? null;
  if (stream === null || stream.unread + bytes <= stream.limit) return null;
  return new CallError(
    GatewayErrorCode.BodyTooLarge,
    `server "${route.server}", tool "${route.tool}": the result (${bytes} bytes) does not fit in the response ` +
      `stream, which holds ${stream.unread} bytes its client has not read of the ${stream.limit} one stream may ` +
      `hold (the unread SSE stream limit); the result was discarded`,
    { limit: stream.limit, setting: 'unread SSE stream' },
  );
}

/**
 * A cached result as the caller sees it: the result as it was, with a note that says so, how old it is and why
 * (the server's state), in the content a model reads and under the gateway's `_meta` prefix for programs.
 */
function cachedAnswer(
  result: CallToolResult,
  server: string,
  ageMs: number,
  storedAt: number,
  reason: string,
): CallToolResult {
  const age = ageMs < 120_000 ? `${Math.round(ageMs / 1000)} s` : `${Math.round(ageMs / 60_000)} min`;
  const note = `note from Switchboard: server "${server}" is down, so this is its cached result from ${age} ago (${new Date(storedAt).toISOString()}). ${reason}`;
  return {
    ...result,
    content: [...(Array.isArray(result.content) ? result.content : []), { type: 'text', text: note }],
    _meta: {
      ...result._meta,
      [`${GATEWAY_META_PREFIX}/cached`]: { ageMs, storedAt: new Date(storedAt).toISOString() },
    },
  };
}
