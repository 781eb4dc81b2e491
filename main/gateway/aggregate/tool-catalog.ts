// The merged tool list. Each serving server's tools are fetched once when it comes up and again when it says they
// changed, so `tools/list` is answered from memory and never waits on a slow server beyond `listWaitMs` (T76).
import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../log/logger.ts';
import { isServing } from '../../supervisor/server-state.ts';
import { buildToolNameMap, serverOfName, type ToolNameMap } from './tool-names.ts';
import type { Upstream, UpstreamDirectory } from './upstream-directory.ts';

const MAX_PAGES = 100;

interface ServerTools {
  readonly tools: readonly Tool[];
  readonly byName: ReadonlyMap<string, Tool>;
  readonly names: ToolNameMap;
}

/** Where an exposed tool name leads. */
export interface ToolRoute {
  readonly server: string;
  readonly tool: string;
}

export interface MergedList {
  readonly tools: Tool[];
  /** Enabled servers whose tools are missing from this answer, with the reason. */
  readonly unavailable: { server: string; reason: string }[];
}

export interface ToolCatalogEvents {
  /** A server's tools were listed, changed, or dropped. */
  changed: [server: string];
  /** Listing a server's tools failed; `list` names the error until a later listing succeeds. */
  listFailed: [server: string];
}

export class ToolCatalog extends EventEmitter<ToolCatalogEvents> {
  readonly #directory: UpstreamDirectory;
  readonly #separator: string;
  readonly #logger: Logger;
  readonly #byServer = new Map<string, ServerTools>();
  /** Fetches in progress, so a list request can wait for a server that has just come up. */
  readonly #loading = new Map<string, Promise<void>>();
  readonly #generation = new Map<string, number>();
  /** Why the last listing of a serving server failed, until one succeeds. */
  readonly #listErrors = new Map<string, string>();

  constructor(directory: UpstreamDirectory, separator: string, logger: Logger) {
    super();
    this.#directory = directory;
    this.#separator = separator;
    this.#logger = logger;
    directory.on('state', (name, state) => {
      if (isServing(state)) {
        // running ⇄ degraded keeps the list; a server that has just come up (again) is listed afresh.
        if (!this.#byServer.has(name)) void this.refresh(name);
      } else {
        this.#forget(name);
      }
    });
    directory.on('toolsChanged', (name) => void this.refresh(name));
    directory.on('membership', () => {
      for (const name of new Set([...this.#byServer.keys(), ...this.#generation.keys()])) {
        if (directory.get(name) !== undefined) continue;
        this.#forget(name);
        this.#generation.delete(name);
      }
    });
    for (const upstream of directory.list()) if (isServing(upstream.state)) void this.refresh(upstream.name);
  }

  /** Drops a server's tools; a fetch still in flight for it is made stale, so it cannot bring them back. */
  #forget(name: string): void {
    this.#bump(name);
    this.#loading.delete(name);
    this.#listErrors.delete(name);
    if (this.#byServer.delete(name)) this.emit('changed', name);
  }

  /** Re-reads one server's tools (all pages); emits `changed` when done. */
  refresh(name: string): Promise<void> {
    const generation = this.#bump(name);
    const task = this.#fetch(name, generation).finally(() => {
      if (this.#loading.get(name) === task) this.#loading.delete(name);
    });
    this.#loading.set(name, task);
    return task;
  }

  async #fetch(name: string, generation: number): Promise<void> {
    const upstream = this.#directory.get(name);
    const client = upstream?.client;
    if (!upstream || !client) return;
    if (!client.getServerCapabilities()?.tools) {
      this.#store(name, generation, []);
      return;
    }
    const tools: Tool[] = [];
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result = await client.listTools(cursor === undefined ? {} : { cursor }, {
          timeout: upstream.timeouts.startupMs,
        });
        tools.push(...result.tools);
        cursor = result.nextCursor;
        if (cursor === undefined) break;
      }
    } catch (error) {
      if (this.#generation.get(name) !== generation) return;
      const message = (error as Error).message;
      this.#logger.warn('could not list tools', { server: name, error: message });
      this.#listErrors.set(name, message);
      this.emit('listFailed', name);
      return;
    }
    this.#store(name, generation, tools);
  }

  #store(name: string, generation: number, tools: Tool[]): void {
    // A newer refresh (or the server going down) has overtaken this one; its answer is stale.
    if (this.#generation.get(name) !== generation) return;
    this.#listErrors.delete(name);
    const previous = this.#byServer.get(name);
    // A server that announces a change but lists the same tools changes nothing for clients.
    if (previous !== undefined && isDeepStrictEqual(previous.tools, tools)) return;
    const names = buildToolNameMap(
      name,
      this.#separator,
      tools.map((t) => t.name),
    );
    this.#byServer.set(name, { tools, byName: new Map(tools.map((t) => [t.name, t])), names });
    this.emit('changed', name);
  }

  #bump(name: string): number {
    const next = (this.#generation.get(name) ?? 0) + 1;
    this.#generation.set(name, next);
    return next;
  }

  /**
   * The merged list (or one server's, with its own names, when `scope` is set). Servers still starting or
   * still being listed get up to `waitMs`; whatever is missing after that is named in `unavailable`.
   */
  async list(scope: string | null, waitMs: number): Promise<MergedList> {
    const wanted = this.#directory.list().filter((u) => u.enabled && (scope === null || u.name === scope));
    // A serving server whose last listing failed is asked again; the answer waits for it as for any late one.
    for (const u of wanted) {
      if (isServing(u.state) && !this.#byServer.has(u.name) && !this.#loading.has(u.name)) void this.refresh(u.name);
    }
    // Only servers on their way up are worth waiting for; one in backoff or parked will not arrive in time.
    const late = wanted.filter(
      (u) => !this.#byServer.has(u.name) && (u.state.state === 'starting' || isServing(u.state)),
    );
    if (late.length > 0 && waitMs > 0) await this.#waitForListed(new Set(late.map((u) => u.name)), waitMs);
    const tools: Tool[] = [];
    const unavailable: MergedList['unavailable'] = [];
    for (const upstream of wanted) {
      const entry = this.#byServer.get(upstream.name);
      if (!entry) {
        unavailable.push({ server: upstream.name, reason: this.#missingReason(upstream) });
        continue;
      }
      for (const tool of entry.tools) {
        tools.push(scope === null ? { ...tool, name: entry.names.toExposed.get(tool.name)! } : tool);
      }
    }
    return { tools, unavailable };
  }

  #missingReason(upstream: Upstream): string {
    if (!isServing(upstream.state)) return upstream.unavailableMessage();
    const error = this.#listErrors.get(upstream.name);
    return error === undefined
      ? `server "${upstream.name}" is running but has not listed its tools yet; try again in a moment.`
      : `server "${upstream.name}" is running but listing its tools failed: ${error}`;
  }

  /**
   * Resolves true once the server's tools are known; waits up to `waitMs` while it is starting or being listed,
   * and resolves false at once when it is neither (down, in backoff, unknown).
   */
  async whenListed(server: string, waitMs: number): Promise<boolean> {
    if (this.#byServer.has(server)) return true;
    const upstream = this.#directory.get(server);
    if (!upstream?.enabled || !(upstream.state.state === 'starting' || isServing(upstream.state))) return false;
    if (waitMs > 0) await this.#waitForListed(new Set([server]), waitMs);
    return this.#byServer.has(server);
  }

  #waitForListed(names: Set<string>, waitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.off('changed', listener);
        this.off('listFailed', listener);
        resolve();
      };
      const listener = (server: string): void => {
        names.delete(server);
        if (names.size === 0) done();
      };
      const timer = setTimeout(done, waitMs);
      this.on('changed', listener);
      this.on('listFailed', listener);
    });
  }

  /** Where an aggregated name leads, or null when no serving server exposes it. */
  route(exposed: string): ToolRoute | null {
    const server = serverOfName(exposed, this.#separator);
    const tool = server === null ? undefined : this.#byServer.get(server)?.names.toUpstream.get(exposed);
    return tool === undefined ? null : { server: server!, tool };
  }

  /** The upstream tool definition, for argument validation and audit. */
  tool(server: string, name: string): Tool | undefined {
    return this.#byServer.get(server)?.byName.get(name);
  }

  get separator(): string {
    return this.#separator;
  }
}
