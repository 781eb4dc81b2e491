// The merged tool list: every serving server's tools, cached by a ListCache and exposed as
// `<server><separator><tool>`, so `tools/list` is answered from memory (T76) and calls are routed by the name map.
import { EventEmitter } from 'node:events';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../log/logger.ts';
import { lintServerTools, type LintFinding, type ToolLint } from '../../policy/tool-lint.ts';
import { scanParamHeaders } from '../../protocol/param-headers.ts';
import { ListCache, type ListCacheEvents } from './list-cache.ts';
import type { ListStore } from './list-store.ts';
import { buildToolNameMap, serverOfName, type ToolNameMap } from './tool-names.ts';
import type { UpstreamDirectory } from './upstream-directory.ts';

interface ToolIndex {
  readonly byName: ReadonlyMap<string, Tool>;
  readonly names: ToolNameMap;
  /** Each tool's lint, by the server's own name for it: worked out once per list change. */
  readonly lint: ReadonlyMap<string, ToolLint>;
}

/** Where an exposed tool name leads. */
export interface ToolRoute {
  readonly server: string;
  readonly tool: string;
}

/** One server's part of a merged list, in the order the server listed it. */
export interface ServerGroup<T> {
  readonly server: string;
  readonly items: readonly T[];
}

export interface MergedList {
  readonly tools: Tool[];
  /** The same tools by server, in directory order (what gateway cursors page through). */
  readonly groups: readonly ServerGroup<Tool>[];
  /** Enabled servers whose tools are missing from this answer, with the reason. */
  readonly unavailable: { server: string; reason: string }[];
}

export type ToolCatalogEvents = ListCacheEvents;

/**
 * A tool whose `x-mcp-header` annotations break the spec's rules cannot be called correctly by a 2026-07-28 client
 * (which mirrors them into headers the server checks), so it is left out of every list, with a warning naming it
 * and the fault (security test T67); the server's other tools are served.
 */
function withValidHeaders(server: string, tools: Tool[], logger: Logger): Tool[] {
  return tools.filter((tool) => {
    const scan = scanParamHeaders(tool.inputSchema);
    if (scan.valid) return true;
    logger.warn('a tool is left out: its x-mcp-header annotations are invalid', {
      server,
      tool: tool.name,
      reason: scan.reason,
    });
    return false;
  });
}

export class ToolCatalog extends EventEmitter<ToolCatalogEvents> {
  readonly #separator: string;
  readonly #cache: ListCache<Tool, ToolIndex>;

  constructor(directory: UpstreamDirectory, separator: string, logger: Logger, store?: ListStore) {
    super();
    this.#separator = separator;
    this.#cache = new ListCache<Tool, ToolIndex>(directory, {
      kind: {
        noun: 'tools',
        changeEvent: 'toolsChanged',
        supported: (capabilities) => capabilities.tools !== undefined,
        announcesChanges: (capabilities) => capabilities.tools?.listChanged === true,
        page: async (client, cursor, timeout, server) => {
          const result = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout });
          return { items: withValidHeaders(server, result.tools, logger), nextCursor: result.nextCursor };
        },
      },
      index: (server, tools) => ({
        byName: new Map(tools.map((t) => [t.name, t])),
        names: buildToolNameMap(
          server,
          separator,
          tools.map((t) => t.name),
        ),
        lint: new Map(lintServerTools(server, separator, tools).map((l) => [l.tool, l])),
      }),
      logger,
      ...(store === undefined ? {} : { store: store.view('tools') }),
    });
    this.#cache.on('changed', (server) => this.emit('changed', server));
    this.#cache.on('listFailed', (server) => this.emit('listFailed', server));
  }

  /** Re-reads one server's tools (all pages); emits `changed` when they differ. */
  refresh(name: string): Promise<void> {
    return this.#cache.refresh(name);
  }

  /**
   * The merged list (or one server's, with its own names, when `scope` is set). Servers still starting or
   * still being listed get up to `waitMs`; whatever is missing after that is named in `unavailable`. `visible`
   * (policy: the client's toolset) is asked about each tool by its server's own name for it.
   */
  async list(
    scope: string | null,
    waitMs: number,
    visible: (server: string, tool: Tool) => boolean = () => true,
  ): Promise<MergedList> {
    const collected = await this.#cache.collect(scope, waitMs);
    const groups = collected.lists.map(({ server, list }) => {
      const shown = list.items.filter((tool) => visible(server, tool));
      return {
        server,
        items:
          scope === null ? shown.map((tool) => ({ ...tool, name: list.index.names.toExposed.get(tool.name)! })) : shown,
      };
    });
    // A tool whose name could not be given a clash-free exposed name has no entry in the map and is left out.
    const cleaned = groups.map((g) => ({ ...g, items: g.items.filter((t) => t.name !== undefined) }));
    return { tools: cleaned.flatMap((g) => g.items), groups: cleaned, unavailable: collected.unavailable };
  }

  /**
   * Resolves true once the server's tools are known; waits up to `waitMs` while it is starting or being listed,
   * and resolves false at once when it is neither (down, in backoff, unknown).
   */
  whenListed(server: string, waitMs: number): Promise<boolean> {
    return this.#cache.whenListed(server, waitMs);
  }

  /** Where an aggregated name leads, or null when no serving server exposes it. */
  route(exposed: string): ToolRoute | null {
    const server = serverOfName(exposed, this.#separator);
    const tool = server === null ? undefined : this.#cache.get(server)?.index.names.toUpstream.get(exposed);
    return tool === undefined ? null : { server: server!, tool };
  }

  /**
   * A tool of a server that is down, as its last list had it (`exposed` is the server's own name on a scoped
   * endpoint): what degraded mode answers from its cache. Null when that list did not have it.
   */
  knownTool(exposed: string, scope: string | null): { server: string; tool: string; definition: Tool } | null {
    const server = scope ?? serverOfName(exposed, this.#separator);
    const list = server === null ? undefined : this.#cache.known(server);
    const tool = scope !== null ? exposed : list?.index.names.toUpstream.get(exposed);
    const definition = tool === undefined ? undefined : list?.index.byName.get(tool);
    return definition === undefined ? null : { server: server!, tool: tool!, definition };
  }

  /** How many tools the server lists now (0 before its list is read). */
  count(server: string): number {
    return this.#cache.get(server)?.items.length ?? 0;
  }

  /** The server's tools as it lists them (its own names), or undefined before its list is read. */
  definitions(server: string): readonly Tool[] | undefined {
    return this.#cache.get(server)?.items;
  }

  /** The upstream tool definition, for argument validation and audit. */
  tool(server: string, name: string): Tool | undefined {
    return this.#cache.get(server)?.index.byName.get(name);
  }

  /**
   * A tool's lint findings (tool-lint.ts), including those that compare it with the server's other tools. A
   * definition the catalog does not hold as listed is linted alone.
   */
  findings(server: string, tool: Tool): readonly LintFinding[] {
    const index = this.#cache.get(server)?.index;
    if (index !== undefined && index.byName.get(tool.name) === tool) return index.lint.get(tool.name)!.findings;
    return lintServerTools(server, this.#separator, [tool])[0]!.findings;
  }

  /** The lint of every tool the server lists now, in its order; empty before its list is read. */
  lint(server: string): readonly ToolLint[] {
    const list = this.#cache.get(server);
    return list === undefined ? [] : list.items.map((t) => list.index.lint.get(t.name)!);
  }

  get separator(): string {
    return this.#separator;
  }
}
