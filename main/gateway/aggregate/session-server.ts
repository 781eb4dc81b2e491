// The MCP server one client session talks to: an SDK Server whose handlers answer from the tool catalog and route
// calls. One per session, so each client's request ids, progress and cancellations stay its own.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type ListToolsResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { CallRouter, CallContext } from './call-router.ts';
import type { ToolCatalog } from './tool-catalog.ts';

export const GATEWAY_META_PREFIX = 'dev.switchboard';

export interface SessionServerOptions {
  readonly catalog: ToolCatalog;
  readonly router: CallRouter;
  readonly listWaitMs: number;
  readonly version: string;
  /** Context for audit and routing; read at call time so the negotiated protocol version is current. */
  readonly context: () => CallContext;
}

export function createSessionServer(options: SessionServerOptions): Server {
  const { catalog, router, context } = options;
  const scope = context().scope;
  const server = new Server(
    { name: scope === null ? 'switchboard' : `switchboard/${scope}`, version: options.version },
    {
      capabilities: { tools: { listChanged: true } },
      instructions:
        scope === null
          ? `Tools of every server Switchboard runs, named <server>${catalog.separator}<tool>.`
          : `Tools of the server "${scope}", served through Switchboard.`,
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, async (): Promise<ListToolsResult> => {
    const merged = await catalog.list(scope, options.listWaitMs);
    if (merged.unavailable.length === 0) return { tools: merged.tools };
    // A shorter list is never silent: the servers left out, and why, travel with it (gateway notes, 4).
    return { tools: merged.tools, _meta: { [`${GATEWAY_META_PREFIX}/unavailable`]: merged.unavailable } };
  });

  server.setRequestHandler(CallToolRequestSchema, (request, extra) => router.call(request, extra, context()));

  const onChanged = (changed: string): void => {
    if (scope !== null && changed !== scope) return;
    void server.sendToolListChanged().catch(() => {});
  };
  catalog.on('changed', onChanged);
  server.onclose = () => catalog.off('changed', onChanged);
  return server;
}
