// The MCP server one client session talks to: an SDK Server whose handlers answer lists from the catalogs and
// route everything else to the server behind a name or URI. One per session, so each client's request ids,
// progress, cancellations, subscriptions and log level stay its own.
//
// Capabilities: a Server's capabilities are fixed when the session starts, but servers come and go while it
// lasts. Every session is therefore offered everything the gateway can forward (tools, prompts, resources with
// subscriptions, completions, logging, each with list_changed); while no server offers a feature, its lists are
// empty, and a request that needs a particular server says what that server lacks.
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type CallToolRequest,
  type ServerCapabilities,
  type ServerResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Aggregate } from './aggregate.ts';
import { CallError } from './call-error.ts';
import type { CallContext } from './call-router.ts';
import { mapToolResult } from './content-uris.ts';
import { pageOf, type ListName } from './list-pages.ts';
import type { SessionPeer } from './session-registry.ts';
import type { ServerGroup } from './tool-catalog.ts';
import type { Extra } from './upstream-request.ts';

export const GATEWAY_META_PREFIX = 'dev.switchboard';

/** What every session is offered, whatever servers run now (see the file comment). */
export const GATEWAY_CAPABILITIES = {
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  completions: {},
  logging: {},
} as const satisfies ServerCapabilities;

/** Matches tools/call by method alone; the SDK's Server validates the request against CallToolRequestSchema. */
const TOOLS_CALL = z.looseObject({ method: z.literal('tools/call') });

export interface SessionServerOptions {
  readonly aggregate: Aggregate;
  readonly version: string;
  /** Context for audit and routing; read at call time so the negotiated protocol version is current. */
  readonly context: () => CallContext;
}

export function createSessionServer(options: SessionServerOptions): Server {
  const { aggregate, context } = options;
  const { tools, prompts, resources, requests, sessions, subscriptions, logs } = aggregate;
  const scope = context().scope;
  const separator = tools.separator;
  const server = new Server(
    { name: scope === null ? 'switchboard' : `switchboard/${scope}`, version: options.version },
    {
      capabilities: GATEWAY_CAPABILITIES,
      // Checks that the client declared sampling, elicitation or roots before the gateway asks it on a
      // server's behalf; the server then gets an error naming the missing capability.
      enforceStrictCapabilities: true,
      instructions:
        scope === null
          ? `Tools of every server Switchboard runs, named <server>${separator}<tool>, and their prompts, named <server>${separator}<prompt>. Resource URIs are the servers' own, unless two servers offer the same one: then each is switchboard+<server>+<uri>.`
          : `Tools, prompts and resources of the server "${scope}", served through Switchboard.`,
    },
  );
  const handle = handlerFor(server);
  const peer: SessionPeer = {
    id: context().sessionId ?? randomUUID(),
    scope,
    client: context().client,
    level: null,
    notify: (notification) => server.notification(notification),
  };
  sessions.add(peer);
  const caller = { session: peer.id, scope, context, capabilities: () => server.getClientCapabilities() };

  const listed = async <T>(
    list: ListName,
    key: string,
    cursor: string | undefined,
    merged: { groups: readonly ServerGroup<T>[]; unavailable: { server: string; reason: string }[] },
  ): Promise<ServerResult> => {
    const page = pageOf(merged.groups, list, cursor, aggregate.pageSize);
    const unavailable = merged.unavailable.filter((u) => page.walked === null || page.walked.has(u.server));
    return {
      [key]: page.items,
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      // A shorter list is never silent: the servers left out, and why, travel with it (gateway notes, 4).
      ...(unavailable.length === 0 ? {} : { _meta: { [`${GATEWAY_META_PREFIX}/unavailable`]: unavailable } }),
    } as ServerResult;
  };
  const wait = aggregate.listWaitMs;

  const policy = aggregate.router.policy;
  const visible =
    policy === null ? undefined : (owner: string, tool: Tool) => policy.visible(context().client, owner, tool);
  const visiblePrompt =
    policy === null
      ? undefined
      : (owner: string, name: string) => policy.visibleItem(context().client, owner, 'prompt', name);
  const visibleResource =
    policy === null
      ? undefined
      : (owner: string, uri: string) => policy.visibleItem(context().client, owner, 'resource', uri);
  handle(ListToolsRequestSchema, async (request) =>
    listed('tools', 'tools', request.params?.cursor, await tools.list(scope, wait, visible)),
  );
  // The SDK's Server checks every tools/call request against CallToolRequestSchema (and its result) itself before
  // this handler runs: a loose schema here spares a second parse of each call, and a bad request gets its -32602.
  server.setRequestHandler(TOOLS_CALL, async (checked, extra) => {
    const request = checked as CallToolRequest;
    const clientCapabilities = server.getClientCapabilities();
    const result = await aggregate.router.call(request, extra, {
      ...context(),
      peer: peer.id,
      ...(clientCapabilities === undefined ? {} : { clientCapabilities }),
    });
    const route = scope === null ? tools.route(request.params.name) : null;
    // A scoped session sees the server's own URIs; its resource links still lose unsafe icons.
    return mapToolResult(result, route === null ? (uri) => uri : resources.exposer(route.server, scope));
  });

  handle(ListPromptsRequestSchema, async (request) =>
    listed('prompts', 'prompts', request.params?.cursor, await prompts.list(scope, wait, visiblePrompt)),
  );
  handle(GetPromptRequestSchema, (request, extra) => requests.getPrompt(request, extra, caller));

  handle(ListResourcesRequestSchema, async (request) =>
    listed('resources', 'resources', request.params?.cursor, await resources.list(scope, wait, visibleResource)),
  );
  handle(ListResourceTemplatesRequestSchema, async (request) =>
    listed(
      'resourceTemplates',
      'resourceTemplates',
      request.params?.cursor,
      await resources.listTemplates(scope, wait, visibleResource),
    ),
  );
  handle(ReadResourceRequestSchema, (request, extra) => requests.readResource(request, extra, caller));
  handle(SubscribeRequestSchema, (request, extra) =>
    requests.subscribe(request.params.uri, extra, caller, (uri) => {
      void server.sendResourceUpdated({ uri }).catch(() => {});
    }),
  );
  handle(UnsubscribeRequestSchema, (request) => requests.unsubscribe(request.params.uri, caller));

  handle(CompleteRequestSchema, (request, extra) => requests.complete(request, extra, caller));

  handle(SetLevelRequestSchema, async (request) => {
    await logs.setLevel(peer, request.params.level);
    return {};
  });

  const concerns = (changed: string): boolean => scope === null || changed === scope;
  const onTools = (changed: string): void => {
    if (concerns(changed)) void server.sendToolListChanged().catch(() => {});
  };
  const onPrompts = (changed: string): void => {
    if (concerns(changed)) void server.sendPromptListChanged().catch(() => {});
  };
  // On `/mcp` one server's change can rename another's URIs (a URI now offered twice), so every change counts.
  const onResources = (changed: string): void => {
    if (concerns(changed)) void server.sendResourceListChanged().catch(() => {});
  };
  // A policy change can show or hide tools, prompts and resources for this client.
  const onPolicy = (): void => {
    void server.sendToolListChanged().catch(() => {});
    void server.sendPromptListChanged().catch(() => {});
    void server.sendResourceListChanged().catch(() => {});
  };
  tools.on('changed', onTools);
  policy?.on('changed', onPolicy);
  prompts.on('changed', onPrompts);
  resources.on('changed', onResources);
  server.onclose = () => {
    tools.off('changed', onTools);
    policy?.off('changed', onPolicy);
    prompts.off('changed', onPrompts);
    resources.off('changed', onResources);
    sessions.remove(peer.id);
    subscriptions.dropSession(peer.id);
    logs.sessionClosed(peer);
    aggregate.directory.sessionEnded?.(peer.id);
  };
  return server;
}

type RequestSchema = z.ZodType<{ method: string }> & { shape: { method: z.ZodLiteral<string> } };

/**
 * Registers a handler whose request is checked here, so that malformed params are answered -32602 with what is
 * wrong (the SDK's own check answers -32603, which tells a client it was the server's fault).
 */
function handlerFor(server: Server) {
  return <S extends RequestSchema>(
    schema: S,
    handler: (request: z.output<S>, extra: Extra) => Promise<ServerResult>,
  ): void => {
    const method = schema.shape.method.value;
    server.setRequestHandler(z.looseObject({ method: z.literal(method) }), (request, extra) => {
      const parsed = schema.safeParse(request);
      if (!parsed.success) {
        throw new CallError(ErrorCode.InvalidParams, `Invalid ${method} request: ${z.prettifyError(parsed.error)}`);
      }
      return handler(parsed.data, extra);
    });
  };
}
