// The merged resource and resource-template lists, and the table that routes a client's URI back to its server.
// A server claims a URI when it lists it, when one of its templates matches it, or when one of its results named
// it (a resource link or an embedded resource: servers hand out URIs they never list). A URI claimed by one server
// keeps its own form; one claimed by several is exposed namespaced per server (resource-uris.ts). Claims of a
// server that is down are kept until it is listed again, so its URIs keep their names and a read of one says the
// server is down rather than "not found".
import { EventEmitter } from 'node:events';
import type { Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../log/logger.ts';
import { isServing } from '../../supervisor/server-state.ts';
import { GatewayErrorCode } from '../http/http-reply.ts';
import type { UriMapper } from './content-uris.ts';
import { ListCache, type ListCacheEvents } from './list-cache.ts';
import type { ListStore } from './list-store.ts';
import {
  looksNamespaced,
  matchesTemplate,
  mayOverlap,
  namespacedUri,
  parseNamespacedUri,
  templateShape,
  type TemplateShape,
} from './resource-uris.ts';
import type { ServerGroup } from './tool-catalog.ts';
import type { UpstreamDirectory } from './upstream-directory.ts';

/** URIs seen in one server's results that are remembered for routing; the oldest are forgotten first. */
export const SEEN_URIS_PER_SERVER = 5_000;

export type UriRoute =
  | { readonly ok: true; readonly server: string; readonly uri: string }
  | { readonly ok: false; readonly code: number; readonly message: string; readonly data: unknown };

export interface MergedResources<T> {
  readonly groups: readonly ServerGroup<T>[];
  readonly unavailable: { server: string; reason: string }[];
}

export class ResourceCatalog extends EventEmitter<ListCacheEvents> {
  readonly #directory: UpstreamDirectory;
  readonly #resources: ListCache<Resource, ReadonlySet<string>>;
  readonly #templates: ListCache<ResourceTemplate, readonly TemplateShape[]>;
  readonly #seen = new Map<string, Set<string>>();
  readonly #seenLimit: number;

  constructor(directory: UpstreamDirectory, logger: Logger, options: { seenLimit?: number; store?: ListStore } = {}) {
    super();
    this.setMaxListeners(0);
    this.#directory = directory;
    this.#seenLimit = options.seenLimit ?? SEEN_URIS_PER_SERVER;
    const supported = (c: { resources?: object }): boolean => c.resources !== undefined;
    const announces = (c: { resources?: { listChanged?: boolean } }): boolean => c.resources?.listChanged === true;
    this.#resources = new ListCache(directory, {
      kind: {
        noun: 'resources',
        changeEvent: 'resourcesChanged',
        supported,
        announcesChanges: announces,
        page: async (client, cursor, timeout) => {
          const result = await client.listResources(cursor === undefined ? {} : { cursor }, { timeout });
          return { items: result.resources, nextCursor: result.nextCursor };
        },
      },
      index: (_server, resources) => new Set(resources.map((r) => r.uri)),
      logger,
      ...(options.store === undefined ? {} : { store: options.store.view('resources') }),
    });
    this.#templates = new ListCache(directory, {
      kind: {
        noun: 'resource templates',
        changeEvent: 'resourcesChanged',
        supported,
        announcesChanges: announces,
        page: async (client, cursor, timeout) => {
          const result = await client.listResourceTemplates(cursor === undefined ? {} : { cursor }, { timeout });
          return { items: result.resourceTemplates, nextCursor: result.nextCursor };
        },
      },
      index: (_server, templates) => templates.map((t) => templateShape(t.uriTemplate)),
      logger,
      ...(options.store === undefined ? {} : { store: options.store.view('resourceTemplates') }),
    });
    for (const cache of [this.#resources, this.#templates] as const) {
      cache.on('changed', (server) => this.emit('changed', server));
      cache.on('listFailed', (server) => this.emit('listFailed', server));
    }
    directory.on('membership', () => {
      for (const server of [...this.#seen.keys()]) if (directory.get(server) === undefined) this.#seen.delete(server);
    });
  }

  /**
   * Every enabled server's resources (or `scope`'s alone, as the server names them). `visible` (policy) is asked
   * about each by the server's own URI for it.
   */
  async list(
    scope: string | null,
    waitMs: number,
    visible: (server: string, uri: string) => boolean = () => true,
  ): Promise<MergedResources<Resource>> {
    const collected = await this.#resources.collect(scope, waitMs);
    const groups = collected.lists.map(({ server, list }) => {
      const shown = list.items.filter((r) => visible(server, r.uri));
      return { server, items: scope === null ? shown.map((r) => ({ ...r, uri: this.#expose(server, r.uri) })) : shown };
    });
    return { groups, unavailable: collected.unavailable };
  }

  /** Every enabled server's resource templates (or `scope`'s alone); `visible` is asked by the template text. */
  async listTemplates(
    scope: string | null,
    waitMs: number,
    visible: (server: string, uriTemplate: string) => boolean = () => true,
  ): Promise<MergedResources<ResourceTemplate>> {
    const collected = await this.#templates.collect(scope, waitMs);
    const groups = collected.lists.map(({ server, list }) => {
      const shown = list.items.filter((t) => visible(server, t.uriTemplate));
      return {
        server,
        items:
          scope === null
            ? shown.map((t) => ({ ...t, uriTemplate: this.#exposeTemplate(server, t.uriTemplate) }))
            : shown,
      };
    });
    return { groups, unavailable: collected.unavailable };
  }

  /**
   * Maps URIs in one server's results to the form a session sees, remembering each as claimed by that server so
   * the session can use it. A scoped session sees the server's own URIs.
   */
  exposer(server: string, scope: string | null): UriMapper {
    if (scope !== null) return (uri) => uri;
    return (uri) => {
      // A URI another server already offers is now offered twice: its exposed form changes on both, so say so.
      const collides = !this.#claims(server, uri) && this.#claimants(uri, server).length > 0;
      this.#remember(server, uri);
      if (collides) this.emit('changed', server);
      return this.#expose(server, uri);
    };
  }

  /** Which server a client's URI belongs to, and the URI as that server knows it. */
  resolve(uri: string, scope: string | null): UriRoute {
    if (scope !== null) return { ok: true, server: scope, uri };
    const named = this.#parse(uri);
    if (named !== null) return { ok: true, ...named };
    return this.#pick(uri, this.#claimants(uri, null), 'resource');
  }

  /** Which server a URI template (a completion's `ref/resource`) belongs to. */
  resolveTemplate(uriTemplate: string, scope: string | null): UriRoute {
    if (scope !== null) return { ok: true, server: scope, uri: uriTemplate };
    const named = this.#parse(uriTemplate);
    if (named !== null) return { ok: true, ...named };
    const owners = this.#servers().filter(
      (server) =>
        this.#templates.known(server)?.items.some((t) => t.uriTemplate === uriTemplate) === true ||
        this.#claims(server, uriTemplate),
    );
    return this.#pick(uriTemplate, owners, 'resource template');
  }

  #parse(uri: string): { server: string; uri: string } | null {
    const parsed = parseNamespacedUri(uri);
    return parsed !== null && this.#directory.get(parsed.server) !== undefined ? parsed : null;
  }

  #pick(uri: string, found: string[], what: string): UriRoute {
    const order = this.#directory.list().map((u) => u.name);
    const owners = [...found].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    if (owners.length === 1) return { ok: true, server: owners[0]!, uri };
    if (owners.length > 1) {
      const candidates = owners.map((server) => namespacedUri(server, uri));
      return {
        ok: false,
        code: GatewayErrorCode.InvalidParams,
        message: `${what} "${uri}" is offered by more than one server (${owners.join(', ')}); use one of: ${candidates.join(', ')}`,
        data: { uri, candidates },
      };
    }
    // A URI nobody lists (a server may serve URIs it never lists) goes to the one server that serves resources.
    const resourceServers = this.#directory
      .list()
      .filter((u) => u.enabled && isServing(u.state) && u.client?.getServerCapabilities()?.resources !== undefined);
    if (resourceServers.length === 1) return { ok: true, server: resourceServers[0]!.name, uri };
    return {
      ok: false,
      code: GatewayErrorCode.InvalidParams,
      message: `Resource not found: no server offers ${what} "${uri}"`,
      data: { uri },
    };
  }

  #servers(): string[] {
    return [...new Set([...this.#resources.knownServers(), ...this.#templates.knownServers(), ...this.#seen.keys()])];
  }

  /** Servers that list the URI, have named it in a result, or have a template it matches. */
  #claimants(uri: string, except: string | null): string[] {
    return this.#servers().filter((server) => server !== except && this.#claims(server, uri));
  }

  #claims(server: string, uri: string): boolean {
    if (this.#resources.known(server)?.index.has(uri) === true) return true;
    if (this.#seen.get(server)?.has(uri) === true) return true;
    return this.#templates.known(server)?.index.some((shape) => matchesTemplate(shape, uri)) === true;
  }

  #expose(server: string, uri: string): string {
    if (looksNamespaced(uri) || this.#claimants(uri, server).length > 0) return namespacedUri(server, uri);
    return uri;
  }

  #exposeTemplate(server: string, uriTemplate: string): string {
    if (looksNamespaced(uriTemplate)) return namespacedUri(server, uriTemplate);
    const shape = templateShape(uriTemplate);
    for (const other of this.#servers()) {
      if (other === server) continue;
      if (this.#templates.known(other)?.index.some((s) => mayOverlap(s, shape)) === true) {
        return namespacedUri(server, uriTemplate);
      }
      const uris = [...(this.#resources.known(other)?.index ?? []), ...(this.#seen.get(other) ?? [])];
      if (uris.some((uri) => matchesTemplate(shape, uri))) return namespacedUri(server, uriTemplate);
    }
    return uriTemplate;
  }

  #remember(server: string, uri: string): void {
    let seen = this.#seen.get(server);
    if (seen === undefined) {
      seen = new Set();
      this.#seen.set(server, seen);
    }
    // Re-adding moves the URI to the end, so the set forgets the least recently named first.
    seen.delete(uri);
    seen.add(uri);
    if (seen.size > this.#seenLimit) seen.delete(seen.values().next().value!);
  }

  whenListed(server: string, waitMs: number): Promise<boolean> {
    return this.#resources.whenListed(server, waitMs);
  }
}
