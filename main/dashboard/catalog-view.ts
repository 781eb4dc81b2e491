// What each server offers, for the dashboard's Tools page: tools under the names clients call (from the gateway's
// catalog), resources and prompts as the server lists them. A server that is down or refuses a list is shown with
// the reason instead of failing the page.
import type { CatalogView } from '../../preload/contract.ts';
import type { ToolCatalog } from '../gateway/aggregate/tool-catalog.ts';
import type { UpstreamDirectory } from '../gateway/aggregate/upstream-directory.ts';

/** How long one list may take; the page is for people, and a stuck server must not hold it. */
const LIST_TIMEOUT_MS = 5_000;
/** Pages read per list at most: a server with endless cursors cannot loop the core. */
const MAX_PAGES = 20;

type Section = CatalogView['servers'][number];

async function allPages<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string }>) {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const result = await page(cursor);
    items.push(...result.items);
    cursor = result.nextCursor;
    if (cursor === undefined) break;
  }
  return items;
}

export async function catalogView(directory: UpstreamDirectory, tools: ToolCatalog): Promise<CatalogView> {
  const merged = await tools.list(null, 0);
  const toolsOf = new Map(merged.groups.map((g) => [g.server, g.items]));
  const sections = directory.list().map(async (upstream): Promise<Section> => {
    const problems: string[] = [];
    const client = upstream.client;
    const section = {
      server: upstream.name,
      tools: (toolsOf.get(upstream.name) ?? []).map((t) => ({
        name: t.name,
        ...(t.title === undefined ? {} : { title: t.title }),
        ...(t.description === undefined ? {} : { description: t.description }),
        inputSchema: t.inputSchema,
        ...(t.outputSchema === undefined ? {} : { outputSchema: t.outputSchema }),
        ...(t.annotations === undefined ? {} : { annotations: t.annotations }),
      })),
      resources: [] as Section['resources'][number][],
      prompts: [] as Section['prompts'][number][],
      problems,
    };
    if (client === null) {
      problems.push(upstream.unavailableMessage());
      return section;
    }
    const capabilities = client.getServerCapabilities() ?? {};
    const options = { timeout: LIST_TIMEOUT_MS };
    await Promise.all([
      capabilities.resources === undefined
        ? null
        : allPages(async (cursor) => {
            const r = await client.listResources(cursor === undefined ? {} : { cursor }, options);
            return { items: r.resources, nextCursor: r.nextCursor };
          }).then(
            (items) => {
              section.resources = items.map((r) => ({
                uri: r.uri,
                name: r.name,
                ...(r.description === undefined ? {} : { description: r.description }),
              }));
            },
            (error: unknown) => problems.push(`resources: ${(error as Error).message}`),
          ),
      capabilities.prompts === undefined
        ? null
        : allPages(async (cursor) => {
            const r = await client.listPrompts(cursor === undefined ? {} : { cursor }, options);
            return { items: r.prompts, nextCursor: r.nextCursor };
          }).then(
            (items) => {
              section.prompts = items.map((p) => ({
                name: p.name,
                ...(p.description === undefined ? {} : { description: p.description }),
                ...(p.arguments === undefined
                  ? {}
                  : { arguments: p.arguments.map((a) => ({ name: a.name, required: a.required === true })) }),
              }));
            },
            (error: unknown) => problems.push(`prompts: ${(error as Error).message}`),
          ),
    ]);
    for (const missing of merged.unavailable) if (missing.server === upstream.name) problems.push(missing.reason);
    return section;
  });
  return { servers: await Promise.all(sections) };
}
