// Routes the requests that name a prompt or a resource (prompts/get, resources/read, resources/subscribe and
// unsubscribe, completion/complete) to the server behind the name, maps names and URIs back to the server's own
// on the way in and URIs in the answer to the session's form on the way out. Forwarding itself (timeouts,
// cancellation, progress) is upstream-request.ts, shared with tools/call. Policy decides each request before it
// is forwarded, as it does tool calls.
import {
  ErrorCode,
  type ClientCapabilities,
  type CompleteRequest,
  type CompleteResult,
  type GetPromptRequest,
  type GetPromptResult,
  type ReadResourceRequest,
  type ReadResourceResult,
} from '@modelcontextprotocol/sdk/types.js';
import { GatewayErrorCode } from '../http/http-reply.ts';
import { CallError } from './call-error.ts';
import { mapPromptResult, mapReadResult } from './content-uris.ts';
import type { InFlightRequests } from './in-flight.ts';
import type { PromptCatalog, PromptRoute } from './prompt-catalog.ts';
import type { ResourceCatalog, UriRoute } from './resource-catalog.ts';
import type { SubscriptionHub } from './subscriptions.ts';
import type { UpstreamDirectory } from './upstream-directory.ts';
import { describeFailure, forwardRequest, ownerOf, whenServing, type Cut, type Extra } from './upstream-request.ts';

import type { AuditEventInput, AuditOutcome } from '../../audit/audit-event.ts';
import { DEFAULT_DECISION, jsonSize, upstreamErrorDetail } from '../../audit/audit-fields.ts';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { CallPolicy } from '../../policy/call-policy.ts';
import type { PolicyRequest } from '../../policy/policy-engine.ts';
import { confirmerFor, requestRefusalError } from './call-policy.ts';
import type { CallContext } from './call-router.ts';

export interface RequestRouterDeps {
  readonly directory: UpstreamDirectory;
  readonly prompts: PromptCatalog;
  readonly resources: ResourceCatalog;
  readonly subscriptions: SubscriptionHub;
  readonly inFlight: InFlightRequests;
  /** How long a request waits for a server that is starting, or whose lists are still being read. */
  readonly listWaitMs: number;
  /** Every forwarded request is recorded, committed before its answer is sent. */
  readonly audit?: AuditLog;
  /** Decides every request before it is forwarded; without one every request is allowed. */
  readonly policy?: CallPolicy | null;
}

/** What policy is asked about a request, and what a client outside its toolset is told. */
interface PolicySubject {
  readonly kind: PolicyRequest['kind'];
  readonly name: string;
  readonly args: unknown;
  readonly unknown: string;
}

/** Who is asking: the session (as the session registry knows it) and the server its endpoint is scoped to. */
export interface Caller {
  readonly session: string;
  readonly scope: string | null;
  /** The client, session id and protocol version, for the audit record. */
  readonly context?: () => Pick<CallContext, 'client' | 'member' | 'sessionId' | 'protocolVersion'>;
  /** What the client declared; a policy confirmation asks it only when it can answer elicitation. */
  readonly capabilities?: () => ClientCapabilities | undefined;
}

export class RequestRouter {
  readonly #deps: RequestRouterDeps;

  constructor(deps: RequestRouterDeps) {
    this.#deps = deps;
  }

  async readResource(request: ReadResourceRequest, extra: Extra, caller: Caller): Promise<ReadResourceResult> {
    const requested = request.params.uri;
    const route = await this.#resolveUri(requested, caller.scope);
    const result = await this.#send(route.server, 'resources/read', { ...request.params, uri: route.uri }, extra, {
      caller,
      what: `resource "${route.uri}"`,
      target: route.uri,
      arguments: undefined,
      policy: {
        kind: 'resource',
        name: route.uri,
        args: { uri: route.uri },
        unknown: `Unknown resource "${requested}"`,
      },
    });
    const expose = this.#deps.resources.exposer(route.server, caller.scope);
    // The URI the client asked for comes back as it asked for it; any other (a directory's entries) is mapped.
    return mapReadResult(result as ReadResourceResult, (uri) => (uri === route.uri ? requested : expose(uri)));
  }

  async getPrompt(request: GetPromptRequest, extra: Extra, caller: Caller): Promise<GetPromptResult> {
    const route = await this.#resolvePrompt(request.params.name, caller.scope, extra.signal);
    const result = await this.#send(route.server, 'prompts/get', { ...request.params, name: route.prompt }, extra, {
      caller,
      what: `prompt "${route.prompt}"`,
      target: route.prompt,
      arguments: request.params.arguments,
      policy: {
        kind: 'prompt',
        name: route.prompt,
        args: request.params.arguments ?? {},
        unknown: `Unknown prompt "${request.params.name}"`,
      },
    });
    return mapPromptResult(result as GetPromptResult, this.#deps.resources.exposer(route.server, caller.scope));
  }

  async complete(request: CompleteRequest, extra: Extra, caller: Caller): Promise<CompleteResult> {
    const { scope } = caller;
    const ref = request.params.ref;
    let server: string;
    let params: CompleteRequest['params'];
    if (ref.type === 'ref/prompt') {
      const route = await this.#resolvePrompt(ref.name, scope, extra.signal);
      server = route.server;
      params = { ...request.params, ref: { ...ref, name: route.prompt } };
    } else {
      const route = await this.#resolve(() => this.#deps.resources.resolveTemplate(ref.uri, scope));
      server = route.server;
      params = { ...request.params, ref: { ...ref, uri: route.uri } };
    }
    // Every session is offered completions; a server without them has nothing to suggest.
    const client = (await whenServing(this.#deps.directory, server, extra.signal))?.client;
    if (client && client.getServerCapabilities()?.completions === undefined) return { completion: { values: [] } };
    const prompt = params.ref.type === 'ref/prompt';
    const target = params.ref.type === 'ref/prompt' ? params.ref.name : params.ref.uri;
    const what = prompt ? `prompt "${target}"` : `template "${target}"`;
    const args = { argument: params.argument, ...(params.context === undefined ? {} : { context: params.context }) };
    const asked = ref.type === 'ref/prompt' ? ref.name : ref.uri;
    return (await this.#send(server, 'completion/complete', params, extra, {
      caller,
      what: `completion of ${what}`,
      target,
      arguments: args,
      policy: {
        kind: prompt ? 'prompt' : 'resource',
        name: target,
        args,
        unknown: `Unknown ${what.split(' ')[0]} "${asked}"`,
      },
    })) as CompleteResult;
  }

  async subscribe(
    uri: string,
    extra: Extra,
    caller: Caller,
    deliver: (exposedUri: string) => void,
  ): Promise<Record<string, never>> {
    const route = await this.#resolveUri(uri, caller.scope);
    await this.#deps.subscriptions.subscribe({ id: caller.session, extra }, route, uri, deliver);
    return {};
  }

  async unsubscribe(uri: string, caller: Caller): Promise<Record<string, never>> {
    await this.#deps.subscriptions.unsubscribeExposed(caller.session, uri);
    return {};
  }

  /** A resource URI's route; when no server claims it yet, servers still starting or being listed are awaited. */
  #resolveUri(uri: string, scope: string | null): Promise<{ server: string; uri: string }> {
    return this.#resolve(() => this.#deps.resources.resolve(uri, scope));
  }

  async #resolve(resolve: () => UriRoute): Promise<{ server: string; uri: string }> {
    let route = resolve();
    if (!route.ok) {
      await this.#deps.resources.list(null, this.#deps.listWaitMs);
      await this.#deps.resources.listTemplates(null, 0);
      route = resolve();
    }
    if (!route.ok) throw new CallError(route.code, route.message, route.data);
    return route;
  }

  async #resolvePrompt(name: string, scope: string | null, signal: AbortSignal): Promise<PromptRoute> {
    const { prompts, directory, listWaitMs } = this.#deps;
    let route = prompts.route(name, scope);
    const named = prompts.serverOf(name, scope);
    // A server that has just come up may not be listed yet; a request to it waits as a list would, bounded.
    if (route === null && named !== null && (await prompts.whenListed(named, listWaitMs))) {
      route = prompts.route(name, scope);
    }
    const upstream = await whenServing(directory, route?.server ?? named ?? '', signal);
    if (upstream && !upstream.client)
      throw new CallError(GatewayErrorCode.ServerUnavailable, upstream.unavailableMessage());
    if (route === null || upstream === undefined) {
      throw new CallError(ErrorCode.InvalidParams, `Unknown prompt "${name}"${scope ? ` on server "${scope}"` : ''}`);
    }
    return route;
  }

  async #send(
    server: string,
    method: string,
    params: Record<string, unknown>,
    extra: Extra,
    label: { caller: Caller; what: string; target: string; arguments: unknown; policy: PolicySubject },
  ): Promise<unknown> {
    const started = performance.now();
    const context = label.caller.context?.();
    let decision: { decision: string; rule: string; detail?: Record<string, unknown> } = DEFAULT_DECISION;
    const audit = (outcome: AuditOutcome, error: string | null, more: Partial<AuditEventInput> = {}) =>
      this.#deps.audit?.record({
        kind: 'request',
        method,
        outcome,
        client: context?.client ?? null,
        member: context?.member ?? null,
        server,
        target: label.target,
        arguments: label.arguments,
        ...decision,
        durationMs: performance.now() - started,
        requestBytes: jsonSize(label.arguments),
        error,
        protocolVersion: context?.protocolVersion ?? null,
        sessionId: context?.sessionId ?? null,
        ...more,
      });
    const upstream = await whenServing(this.#deps.directory, server, extra.signal);
    if (upstream === undefined) throw new CallError(ErrorCode.InvalidParams, `no server named "${server}"`);
    if (!upstream.client) {
      const message = upstream.unavailableMessage();
      await audit('unavailable', message);
      throw new CallError(GatewayErrorCode.ServerUnavailable, message);
    }
    let release = (): void => {};
    const policy = this.#deps.policy;
    if (policy) {
      const admission = await policy.admitRequest({
        client: context?.client ?? '',
        server,
        kind: label.policy.kind,
        name: label.policy.name,
        args: label.policy.args,
        confirm: confirmerFor(extra, label.caller.capabilities?.()),
      });
      const detail = admission.detail === null ? {} : { detail: admission.detail };
      if (!admission.ok) {
        decision = { decision: 'deny', rule: admission.rule, ...detail };
        const error = requestRefusalError(admission, new CallError(ErrorCode.InvalidParams, label.policy.unknown));
        await audit(admission.outcome, error.message);
        throw error;
      }
      decision = { decision: 'allow', rule: admission.rule, ...detail };
      release = admission.release;
    }
    let cut: Cut = null;
    try {
      const instance = upstream.instanceFor?.(ownerOf(label.caller.session, context)) ?? null;
      const result = await forwardRequest(
        { client: upstream.client, server, method, params, timeouts: upstream.timeouts, instance },
        {
          extra,
          session: label.caller.session,
          client: context?.client,
          member: context?.member,
          inFlight: this.#deps.inFlight,
          onCut: (why) => (cut = why),
        },
      );
      await audit('ok', null, { responseBytes: jsonSize(result) });
      return result;
    } catch (error) {
      const where = `server "${server}", ${label.what}`;
      const failure = describeFailure(
        error,
        cut,
        where,
        upstream.timeouts,
        () => this.#deps.directory.get(server)?.unavailableMessage(),
        () => this.#deps.directory.get(server)?.credentialNotice?.() ?? null,
      );
      await audit(failure.outcome, failure.error.message, { errorDetail: upstreamErrorDetail(error) });
      throw failure.error;
    } finally {
      release();
    }
  }
}
