// What each server offers, for the dashboard's Tools page, read from the gateway's own cached catalogs: the tools,
// resources and prompts under the names clients see, with no request to any server (an idle on-demand server is
// shown from its stored lists). A server whose lists are missing is shown with the reason instead. Each tool
// carries its lint findings (policy/tool-lint.ts) and its pin (pins/).
import type { CatalogView, ToolPinsView } from '../../preload/contract.ts';
import type { PromptCatalog } from '../gateway/aggregate/prompt-catalog.ts';
import type { ResourceCatalog } from '../gateway/aggregate/resource-catalog.ts';
import type { ToolCatalog } from '../gateway/aggregate/tool-catalog.ts';
import type { UpstreamDirectory } from '../gateway/aggregate/upstream-directory.ts';

export interface Catalogs {
  readonly tools: ToolCatalog;
  readonly resources: ResourceCatalog;
  readonly prompts: PromptCatalog;
}

function byServer<T>(groups: readonly { server: string; items: readonly T[] }[]): Map<string, readonly T[]> {
  return new Map(groups.map((g) => [g.server, g.items]));
}

export async function catalogView(
  directory: UpstreamDirectory,
  catalogs: Catalogs,
  pins?: () => ToolPinsView,
): Promise<CatalogView> {
  const pinned = new Map((pins?.().tools ?? []).map((p) => [`${p.server}\u0000${p.tool}`, p]));
  const pinOf = (exposed: string) => {
    const route = catalogs.tools.route(exposed);
    const pin = route === null ? undefined : pinned.get(`${route.server}\u0000${route.tool}`);
    return pin === undefined
      ? {}
      : { pin: { hash: pin.hash, approvedAt: pin.approvedAt, changed: pin.changed !== null } };
  };
  const [tools, resources, prompts] = await Promise.all([
    catalogs.tools.list(null, 0),
    catalogs.resources.list(null, 0),
    catalogs.prompts.list(null, 0),
  ]);
  const toolsOf = byServer(tools.groups);
  const resourcesOf = byServer(resources.groups);
  const promptsOf = byServer(prompts.groups);
  const missing = [...tools.unavailable, ...resources.unavailable, ...prompts.unavailable];
  return {
    servers: directory.list().map((upstream) => {
      const lint = new Map(catalogs.tools.lint(upstream.name).map((l) => [l.exposed, l.findings]));
      return {
        server: upstream.name,
        tools: (toolsOf.get(upstream.name) ?? []).map((t) => ({
          name: t.name,
          ...(t.title === undefined ? {} : { title: t.title }),
          ...(t.description === undefined ? {} : { description: t.description }),
          inputSchema: t.inputSchema,
          ...(t.outputSchema === undefined ? {} : { outputSchema: t.outputSchema }),
          ...(t.annotations === undefined ? {} : { annotations: t.annotations }),
          lint: lint.get(t.name) ?? [],
          ...pinOf(t.name),
        })),
        resources: (resourcesOf.get(upstream.name) ?? []).map((r) => ({
          uri: r.uri,
          name: r.name,
          ...(r.description === undefined ? {} : { description: r.description }),
        })),
        prompts: (promptsOf.get(upstream.name) ?? []).map((p) => ({
          name: p.name,
          ...(p.description === undefined ? {} : { description: p.description }),
          ...(p.arguments === undefined
            ? {}
            : { arguments: p.arguments.map((a) => ({ name: a.name, required: a.required === true })) }),
        })),
        problems: [...new Set(missing.filter((m) => m.server === upstream.name).map((m) => m.reason))],
      };
    }),
  };
}
