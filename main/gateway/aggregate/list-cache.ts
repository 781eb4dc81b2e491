// One kind of list (tools, prompts, resources or resource templates) of every serving server, kept in memory. Each
// server's list is read in full (every page) when it comes up and again when it announces a change, so a client's
// list request is answered from memory and never waits on a slow server beyond `listWaitMs` (T76). A server that
// does not announce changes of this kind has its copy re-read in the background once it is older than `maxAgeMs`.
//
// An on-demand server that is idle (or on its way up from idle) keeps its last list, from this run or from the
// disk cache of an earlier one (list-store.ts): it is listed and routed to as if it ran, and read afresh once it
// serves, so clients hear `list_changed` only when the real list differs. One that was never listed is started
// by the first list that wants it, like any request for it.
//
// Every item read keeps only the icons a client may safely load (icon-urls.ts, T65), so no list, cache or disk
// copy ever holds another.
import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../log/logger.ts';
import { isServing, type ServerState } from '../../supervisor/server-state.ts';
import type { UpstreamClient } from '../../supervisor/upstream-client.ts';
import { withSafeIcons } from './icon-urls.ts';
import type { ListStoreView } from './list-store.ts';
import type { Upstream, UpstreamDirectory } from './upstream-directory.ts';

const MAX_PAGES = 100;

export interface ListKind<T> {
  /** What the list holds, for messages: "tools", "prompts", "resources", "resource templates". */
  readonly noun: string;
  /** The directory event by which a server says this list changed. */
  readonly changeEvent: 'toolsChanged' | 'promptsChanged' | 'resourcesChanged';
  supported(capabilities: ServerCapabilities): boolean;
  announcesChanges(capabilities: ServerCapabilities): boolean;
  page(
    client: UpstreamClient,
    cursor: string | undefined,
    timeoutMs: number,
    server: string,
  ): Promise<{ items: T[]; nextCursor?: string }>;
}

/** One server's list, with whatever the owner derives from it (name maps, URI sets) computed once per change. */
export interface CachedList<T, D> {
  readonly items: readonly T[];
  readonly index: D;
  /** When the list was last read (performance.now()). */
  readonly at: number;
}

export interface Collected<T, D> {
  /** Serving servers' lists, in directory order. */
  readonly lists: readonly { readonly server: string; readonly list: CachedList<T, D> }[];
  /** Enabled servers whose lists are missing from this answer, with the reason. */
  readonly unavailable: { server: string; reason: string }[];
}

export interface ListCacheEvents {
  /** A server's list was read and differs from before, or was dropped. */
  changed: [server: string];
  /** Reading a server's list failed; `collect` names the error until a later read succeeds. */
  listFailed: [server: string];
}

export interface ListCacheOptions<T, D> {
  readonly kind: ListKind<T>;
  /** Derives the owner's index from a server's items; runs before `changed` is emitted. */
  readonly index: (server: string, items: readonly T[]) => D;
  readonly logger: Logger;
  /** Age after which the list of a server that does not announce changes is read again. */
  readonly maxAgeMs?: number;
  /** Where lists outlive the process, for on-demand servers that are not running. */
  readonly store?: ListStoreView<T>;
}

export const DEFAULT_MAX_AGE_MS = 10_000;

export class ListCache<T, D> extends EventEmitter<ListCacheEvents> {
  readonly #directory: UpstreamDirectory;
  readonly #kind: ListKind<T>;
  readonly #index: (server: string, items: readonly T[]) => D;
  readonly #logger: Logger;
  readonly #maxAgeMs: number;
  readonly #byServer = new Map<string, CachedList<T, D>>();
  /** The last list of a server that went down, until it is listed again or leaves the configuration. */
  readonly #dormant = new Map<string, CachedList<T, D>>();
  /** Reads in progress, so a list request can wait for a server that has just come up. */
  readonly #loading = new Map<string, Promise<void>>();
  readonly #generation = new Map<string, number>();
  /** Why the last read of a serving server failed, until one succeeds. */
  readonly #listErrors = new Map<string, string>();
  readonly #store: ListStoreView<T> | null;
  /** Says when a server went down (backoff, failed, blocked, stopped): a list waiting for it need not wait more. */
  readonly #down = new EventEmitter<{ down: [server: string] }>().setMaxListeners(0);
  /** Servers listed from their cached list while they do not serve; read afresh once they do. */
  readonly #standIns = new Set<string>();

  constructor(directory: UpstreamDirectory, options: ListCacheOptions<T, D>) {
    super();
    this.setMaxListeners(0);
    this.#directory = directory;
    this.#kind = options.kind;
    this.#index = options.index;
    this.#logger = options.logger;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.#store = options.store ?? null;
    directory.on('state', (name, state) => {
      if (isServing(state)) {
        // running ⇄ degraded keeps the list; a server that has just come up (again) is listed afresh.
        if (!this.#byServer.has(name) || this.#standIns.has(name)) void this.refresh(name);
      } else if (this.#standsIn(name, state)) {
        this.#useCached(name);
      } else {
        this.#standIns.delete(name);
        this.#forget(name);
        if (state.state !== 'starting') this.#down.emit('down', name);
      }
    });
    directory.on(this.#kind.changeEvent, (name) => void this.refresh(name));
    directory.on('membership', () => {
      for (const name of new Set([...this.#byServer.keys(), ...this.#generation.keys(), ...this.#dormant.keys()])) {
        if (directory.get(name) !== undefined) continue;
        this.#forget(name);
        this.#dormant.delete(name);
        this.#generation.delete(name);
      }
    });
    for (const upstream of directory.list()) {
      if (isServing(upstream.state)) void this.refresh(upstream.name);
      else if (this.#standsIn(upstream.name, upstream.state)) this.#useCached(upstream.name);
    }
  }

  /** Whether the server's last list stands in for it now: an on-demand server that is idle or coming up. */
  #standsIn(name: string, state: ServerState): boolean {
    return this.#directory.get(name)?.onDemand === true && (state.state === 'idle' || state.state === 'starting');
  }

  /** Lists the server from its last known list (this run's, else the disk cache's), if it has one. */
  #useCached(name: string): void {
    // A read still in flight on the connection that just ended cannot answer any more; it must not count as failed.
    this.#bump(name);
    this.#loading.delete(name);
    this.#listErrors.delete(name);
    if (this.#byServer.has(name)) {
      this.#standIns.add(name);
      return;
    }
    const dormant = this.#dormant.get(name);
    const items = dormant?.items ?? this.#store?.load(name);
    if (items === undefined) return;
    this.#dormant.delete(name);
    this.#standIns.add(name);
    this.#byServer.set(name, dormant ?? { items, index: this.#index(name, items), at: performance.now() });
    this.emit('changed', name);
  }

  get noun(): string {
    return this.#kind.noun;
  }

  /** Drops a server's list; a read still in flight for it is made stale, so it cannot bring the list back. */
  #forget(name: string): void {
    this.#bump(name);
    this.#loading.delete(name);
    this.#listErrors.delete(name);
    const entry = this.#byServer.get(name);
    if (entry === undefined) return;
    this.#byServer.delete(name);
    this.#dormant.set(name, entry);
    this.emit('changed', name);
  }

  /** Reads one server's list again (all pages); emits `changed` when it differs. */
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
    const capabilities = client.getServerCapabilities() ?? {};
    if (!this.#kind.supported(capabilities)) {
      this.#keep(name, generation, [], capabilities);
      return;
    }
    const items: T[] = [];
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result = await this.#kind.page(client, cursor, upstream.timeouts.startupMs, name);
        items.push(...result.items.map(withSafeIcons));
        cursor = result.nextCursor;
        if (cursor === undefined) break;
      }
    } catch (error) {
      if (this.#generation.get(name) !== generation) return;
      const message = (error as Error).message;
      this.#logger.warn(`could not list ${this.#kind.noun}`, { server: name, error: message });
      this.#listErrors.set(name, message);
      this.emit('listFailed', name);
      return;
    }
    this.#keep(name, generation, items, capabilities);
  }

  #keep(name: string, generation: number, items: T[], capabilities: ServerCapabilities): void {
    // A newer read (or the server going down) has overtaken this one; its answer is stale.
    if (this.#generation.get(name) !== generation) return;
    this.#listErrors.delete(name);
    this.#standIns.delete(name);
    this.#store?.save(name, items, capabilities);
    const previous = this.#byServer.get(name) ?? this.#dormant.get(name);
    this.#dormant.delete(name);
    const at = performance.now();
    // A server that announces a change but lists the same items changes nothing for clients.
    if (previous !== undefined && isDeepStrictEqual(previous.items, items)) {
      const wasListed = this.#byServer.has(name);
      this.#byServer.set(name, { ...previous, at });
      if (!wasListed) this.emit('changed', name);
      return;
    }
    this.#byServer.set(name, { items, index: this.#index(name, items), at });
    this.emit('changed', name);
  }

  #bump(name: string): number {
    const next = (this.#generation.get(name) ?? 0) + 1;
    this.#generation.set(name, next);
    return next;
  }

  /** The list of a serving server, once read. */
  get(server: string): CachedList<T, D> | undefined {
    return this.#byServer.get(server);
  }

  /** The list of a serving server, or the last one of a server that is down (for routing and error messages). */
  known(server: string): CachedList<T, D> | undefined {
    return this.#byServer.get(server) ?? this.#dormant.get(server);
  }

  /** Every server with a known list, serving or down. */
  knownServers(): string[] {
    return [...new Set([...this.#byServer.keys(), ...this.#dormant.keys()])];
  }

  /**
   * The lists of every enabled server (or of `scope` alone). Servers still starting or still being listed get up
   * to `waitMs`; whatever is missing after that is named in `unavailable`.
   */
  async collect(scope: string | null, waitMs: number): Promise<Collected<T, D>> {
    const inScope = (u: Upstream): boolean => u.enabled && (scope === null || u.name === scope);
    // An idle server never listed has nothing to stand in for it: it is started, as any request for it would.
    for (const u of this.#directory.list()) {
      if (inScope(u) && u.state.state === 'idle' && !this.#byServer.has(u.name)) void u.demand?.();
    }
    const wanted = this.#directory.list().filter(inScope);
    const now = performance.now();
    for (const u of wanted) {
      if (!isServing(u.state)) continue;
      const entry = this.#byServer.get(u.name);
      const loading = this.#loading.has(u.name);
      // A serving server whose last read failed is asked again, even if a read is under way (it may have been
      // sent before whatever broke was fixed); the answer waits for it as for any late one.
      if (entry === undefined && (!loading || this.#listErrors.has(u.name))) void this.refresh(u.name);
      else if (entry !== undefined && !loading && now - entry.at > this.#maxAgeMs && !this.#announces(u)) {
        void this.refresh(u.name);
      }
    }
    // Only servers on their way up are worth waiting for; one in backoff or parked will not arrive in time.
    const late = wanted.filter(
      (u) => !this.#byServer.has(u.name) && (u.state.state === 'starting' || isServing(u.state)),
    );
    if (late.length > 0 && waitMs > 0) await this.#waitForListed(new Set(late.map((u) => u.name)), waitMs);
    const lists: { server: string; list: CachedList<T, D> }[] = [];
    const unavailable: Collected<T, D>['unavailable'] = [];
    for (const upstream of wanted) {
      const list = this.#byServer.get(upstream.name);
      if (list === undefined) unavailable.push({ server: upstream.name, reason: this.#missingReason(upstream) });
      else lists.push({ server: upstream.name, list });
    }
    return { lists, unavailable };
  }

  #announces(upstream: Upstream): boolean {
    const capabilities = upstream.client?.getServerCapabilities();
    return capabilities !== undefined && this.#kind.announcesChanges(capabilities);
  }

  #missingReason(upstream: Upstream): string {
    if (!isServing(upstream.state)) return upstream.unavailableMessage();
    const error = this.#listErrors.get(upstream.name);
    const noun = this.#kind.noun;
    return error === undefined
      ? `server "${upstream.name}" is running but has not listed its ${noun} yet; try again in a moment.`
      : `server "${upstream.name}" is running but listing its ${noun} failed: ${error}`;
  }

  /**
   * Resolves true once the server's list is known; waits up to `waitMs` while it is starting or being listed (an
   * idle on-demand server is started first), and resolves false at once when it is neither (down, in backoff,
   * unknown).
   */
  async whenListed(server: string, waitMs: number): Promise<boolean> {
    if (this.#byServer.has(server)) return true;
    const idle = this.#directory.get(server);
    if (idle?.enabled === true && idle.state.state === 'idle') void idle.demand?.();
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
        this.#down.off('down', listener);
        resolve();
      };
      const listener = (server: string): void => {
        names.delete(server);
        if (names.size === 0) done();
      };
      const timer = setTimeout(done, waitMs);
      this.on('changed', listener);
      this.on('listFailed', listener);
      this.#down.on('down', listener);
    });
  }
}
