// Presents the supervisor to the gateway as an UpstreamDirectory, and wires each new upstream client: the gateway
// hears when a server's tools, prompts or resources change, when a subscribed resource is updated and when the
// server logs, and the server's own requests (sampling, elicitation, roots) reach the client whose call caused
// them, or are refused with a reason. A server with isolation gets, for each session (or client), an instance of
// its own (supervisor/instance-pool.ts): its requests and log messages are its owner's alone.
//
// A URL-mode elicitation (2025-11-25) is finished out of band, and the server says so later with
// `notifications/elicitation/complete` naming its `elicitationId`, tied to no request: it goes to the session the
// elicitation was sent to, remembered by connection and id, and to nobody else.
import { EventEmitter } from 'node:events';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ElicitationCompleteNotificationSchema,
  ErrorCode,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { AuditEventInput, AuditOutcome } from '../audit/audit-event.ts';
import { DEFAULT_DECISION, jsonSize, upstreamErrorDetail } from '../audit/audit-fields.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { CallError } from '../gateway/aggregate/call-error.ts';
import type { InFlightRequests } from '../gateway/aggregate/in-flight.ts';
import type {
  RequestOwner,
  Upstream,
  UpstreamDirectory,
  UpstreamEvents,
  UpstreamInstance,
} from '../gateway/aggregate/upstream-directory.ts';
import { GatewayErrorCode } from '../gateway/http/http-reply.ts';
import { InstanceLimitError, instanceKey, type InstanceOwner, type InstanceRef } from '../supervisor/instance-pool.ts';
import type { ManagedServer } from '../supervisor/managed-server.ts';
import type { Supervisor } from '../supervisor/supervisor.ts';
import type { CallOrigin, UpstreamClient } from '../supervisor/upstream-client.ts';

/** URL-mode elicitations remembered until they complete; past this the oldest is forgotten (one never completed). */
export const MAX_URL_ELICITATIONS = 1_000;

export class SupervisedDirectory extends EventEmitter<UpstreamEvents> implements UpstreamDirectory {
  #supervisor: Supervisor | null = null;
  #inFlight: InFlightRequests | null = null;
  /** The session each URL-mode elicitation went to, by connection and the server's `elicitationId`. */
  readonly #urlElicitations = new Map<string, string>();

  /** Called by the supervisor for every client it creates, before it connects. */
  readonly onClient = (name: string, client: UpstreamClient): void => {
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      this.emit('toolsChanged', name);
    });
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => {
      this.emit('promptsChanged', name);
    });
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
      this.emit('resourcesChanged', name);
    });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
      this.emit('resourceUpdated', name, notification.params.uri);
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      this.emit('logMessage', name, notification.params);
    });
    this.#routeServerRequests(name, client, null);
    this.#routeCompletions(name, client, null);
  };

  /** A server's `notifications/elicitation/complete` goes to the session its elicitation was sent to. */
  #routeCompletions(name: string, client: UpstreamClient, instance: InstanceRef | null): void {
    client.setNotificationHandler(ElicitationCompleteNotificationSchema, (notification) => {
      const { elicitationId } = notification.params;
      const key = urlElicitationKey(name, instance, elicitationId);
      const session = this.#urlElicitations.get(key);
      if (session === undefined) return;
      this.#urlElicitations.delete(key);
      this.emit('elicitationComplete', name, session, elicitationId);
    });
  }

  #rememberUrlElicitation(name: string, instance: InstanceRef | null, request: ServerRequest, session: string): void {
    const params = request.params as { mode?: unknown; elicitationId?: unknown } | undefined;
    if (request.method !== 'elicitation/create' || params?.mode !== 'url') return;
    if (typeof params.elicitationId !== 'string') return;
    const key = urlElicitationKey(name, instance, params.elicitationId);
    this.#urlElicitations.delete(key);
    this.#urlElicitations.set(key, session);
    if (this.#urlElicitations.size > MAX_URL_ELICITATIONS) {
      this.#urlElicitations.delete(this.#urlElicitations.keys().next().value!);
    }
  }

  /**
   * Called by the supervisor for the client of an isolated server's instance. Its catalogs are not read (lists
   * come from the shared connection), and subscriptions are held on the shared connection, so its list_changed
   * and resources/updated notifications concern nobody; its log messages and requests are its owner's.
   */
  readonly onInstanceClient = (name: string, client: UpstreamClient, instance: InstanceRef): void => {
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      this.emit('logMessage', name, notification.params, instance);
    });
    this.#routeServerRequests(name, client, instance);
    this.#routeCompletions(name, client, instance);
  };

  /**
   * A server's own requests go to the client session whose call caused them. Over stdio nothing says which call
   * a request belongs to (gateway notes 1): it is routed only when one session alone is waiting on this connection
   * (the shared one, or the instance of one session or client), and refused with a reason otherwise, never guessed.
   */
  #routeServerRequests(name: string, client: UpstreamClient, instance: InstanceRef | null): void {
    const key = instance?.key ?? null;
    const on = instance === null ? 'it' : `the instance of one ${instance.owner.kind}`;
    const serverRequests = [CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema] as const;
    for (const schema of serverRequests) {
      client.setRequestHandler(schema, async (request, extra) => {
        // A 2026-07-28 server asks inside the answer to one call: that call's caller, and nobody else, answers.
        const origin = client.originOf?.(extra);
        if (origin !== undefined) {
          if (origin.ask !== undefined) this.#rememberUrlElicitation(name, instance, request, origin.session);
          return (await this.#answerFor(name, origin, request, extra.signal)) as never;
        }
        const caller = this.#inFlight?.soleCaller(name, key) ?? null;
        if (caller?.ask === undefined) {
          const waiting = this.#inFlight?.waitingOn(name, key).length ?? 0;
          throw new CallError(
            ErrorCode.InvalidRequest,
            waiting === 0 || caller !== null
              ? `Switchboard passes ${request.method} from server "${name}" only during a client's call to it, and no call is waiting`
              : `Switchboard cannot tell which client ${request.method} from server "${name}" is for: calls of several sessions are waiting on ${on}`,
          );
        }
        if (request.method === 'roots/list') return (await caller.ask(request, extra.signal)) as never;
        this.#rememberUrlElicitation(name, instance, request, caller.session);
        return (await this.#askAudited(name, caller, request, extra.signal)) as never;
      });
    }
  }

  /** An input request of a 2026-07-28 server, for the call it was raised in. */
  async #answerFor(server: string, origin: CallOrigin, request: ServerRequest, signal: AbortSignal): Promise<unknown> {
    if (origin.ask === undefined) {
      throw new CallError(
        ErrorCode.InvalidRequest,
        `Switchboard passes ${request.method} from server "${server}" only during a client's call to it`,
      );
    }
    if (request.method === 'roots/list') return await origin.ask(request, signal);
    return await this.#askAudited(server, origin, request, signal);
  }

  /** A sampling or elicitation request acts for a server on a person's behalf: it is recorded, answered or not. */
  async #askAudited(server: string, caller: CallOrigin, request: ServerRequest, signal: AbortSignal): Promise<unknown> {
    const started = performance.now();
    const record = (outcome: AuditOutcome, more: Partial<AuditEventInput>) =>
      this.#audit?.record({
        kind: 'server-request',
        method: request.method,
        outcome,
        client: caller.client ?? null,
        member: caller.member ?? null,
        server,
        sessionId: caller.session,
        arguments: request.params,
        ...DEFAULT_DECISION,
        durationMs: performance.now() - started,
        requestBytes: jsonSize(request.params),
        ...more,
      });
    try {
      const answer = await caller.ask!(request, signal);
      await record('ok', { responseBytes: jsonSize(answer), detail: actionOf(answer) });
      return answer;
    } catch (error) {
      await record(signal.aborted ? 'cancelled' : 'protocol-error', {
        error: (error as Error).message,
        errorDetail: upstreamErrorDetail(error),
      });
      throw error;
    }
  }

  /** Where server-to-client requests are recorded. */
  auditTo(audit: AuditLog): void {
    this.#audit = audit;
  }

  /** Where server-to-client requests find the calls waiting on each server. */
  routeServerRequests(inFlight: InFlightRequests): void {
    this.#inFlight = inFlight;
  }

  #notice: (server: ManagedServer) => string | null = () => null;
  #audit: AuditLog | null = null;

  attach(supervisor: Supervisor): void {
    this.#supervisor = supervisor;
    supervisor.on('state', (name, state) => this.emit('state', name, state));
  }

  /** Where credential notices for upstream errors come from (expired secrets). */
  noticeCredentials(notice: (server: ManagedServer) => string | null): void {
    this.#notice = notice;
  }

  get(name: string): Upstream | undefined {
    const server = this.#supervisor?.get(name);
    return server ? this.#asUpstream(server) : undefined;
  }

  list(): readonly Upstream[] {
    return (this.#supervisor?.list() ?? []).map((server) => this.#asUpstream(server));
  }

  /** A session ended: the instances it owned on servers isolated per session are stopped (not awaited). */
  sessionEnded(session: string): void {
    for (const server of this.#supervisor?.list() ?? []) {
      void server.instances.end({ kind: 'session', id: session });
    }
  }

  #asUpstream(server: ManagedServer): Upstream {
    const notice = this.#notice;
    return {
      name: server.name,
      enabled: server.config.enabled,
      state: server.state,
      client: server.client,
      timeouts: server.config.timeouts,
      onDemand: server.config.start === 'on-demand',
      degraded: server.config.degraded,
      demand: () => server.demand(),
      unavailableMessage: () => server.unavailableError(),
      credentialNotice: () => notice(server),
      instanceFor: (owner) => instanceFor(server, owner),
    };
  }
}

/**
 * The instance a request goes to on a server with isolation. A 2026-07-28 request has no session of its own (its
 * session server is the gateway's, pooled per client), so a per-session server gives it its client's instance.
 */
function instanceFor(server: ManagedServer, owner: RequestOwner): UpstreamInstance | null {
  const isolation = server.config.isolation;
  if (isolation === 'shared') return null;
  const byClient = isolation === 'per-client' || owner.sessionless;
  const who: InstanceOwner = byClient
    ? { kind: 'client', id: owner.client ?? owner.session }
    : { kind: 'session', id: owner.session };
  return {
    key: instanceKey(who),
    lease: async (signal) => {
      try {
        return await server.instances.lease(who, signal);
      } catch (error) {
        if (signal.aborted) throw error;
        if (error instanceof InstanceLimitError) {
          throw new CallError(GatewayErrorCode.Refused, error.message, { limit: 'instances.max', max: error.max });
        }
        throw new CallError(
          GatewayErrorCode.ServerUnavailable,
          `server "${server.name}": the instance of its own this ${who.kind} needs (isolation "${isolation}") could not start: ${(error as Error).message}`,
        );
      }
    },
  };
}

function urlElicitationKey(server: string, instance: InstanceRef | null, elicitationId: string): string {
  return `${server}\u0000${instance?.key ?? ''}\u0000${elicitationId}`;
}

/** An elicitation's `action` (accept, decline, cancel) is worth a glance in the trail without opening the answer. */
function actionOf(answer: unknown): Record<string, unknown> | null {
  const action = (answer as { action?: unknown } | null)?.action;
  return typeof action === 'string' ? { action } : null;
}
