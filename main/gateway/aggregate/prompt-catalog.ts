// The merged prompt list. Prompts are named like tools, `<server><separator><prompt>` under the same rules
// (tool-names.ts), so two servers' prompts never share a name and `prompts/get` is routed by the name map.
import { EventEmitter } from 'node:events';
import type { Prompt } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../log/logger.ts';
import { ListCache, type ListCacheEvents } from './list-cache.ts';
import type { ListStore } from './list-store.ts';
import type { ServerGroup } from './tool-catalog.ts';
import { buildToolNameMap, serverOfName, type ToolNameMap } from './tool-names.ts';
import type { UpstreamDirectory } from './upstream-directory.ts';

export interface PromptRoute {
  readonly server: string;
  readonly prompt: string;
}

export interface MergedPrompts {
  readonly groups: readonly ServerGroup<Prompt>[];
  readonly unavailable: { server: string; reason: string }[];
}

export class PromptCatalog extends EventEmitter<ListCacheEvents> {
  readonly #separator: string;
  readonly #cache: ListCache<Prompt, ToolNameMap>;

  constructor(directory: UpstreamDirectory, separator: string, logger: Logger, store?: ListStore) {
    super();
    this.setMaxListeners(0);
    this.#separator = separator;
    this.#cache = new ListCache<Prompt, ToolNameMap>(directory, {
      kind: {
        noun: 'prompts',
        changeEvent: 'promptsChanged',
        supported: (capabilities) => capabilities.prompts !== undefined,
        announcesChanges: (capabilities) => capabilities.prompts?.listChanged === true,
        page: async (client, cursor, timeout) => {
          const result = await client.listPrompts(cursor === undefined ? {} : { cursor }, { timeout });
          return { items: result.prompts, nextCursor: result.nextCursor };
        },
      },
      index: (server, prompts) =>
        buildToolNameMap(
          server,
          separator,
          prompts.map((p) => p.name),
        ),
      logger,
      ...(store === undefined ? {} : { store: store.view('prompts') }),
    });
    this.#cache.on('changed', (server) => this.emit('changed', server));
    this.#cache.on('listFailed', (server) => this.emit('listFailed', server));
  }

  /**
   * Every enabled server's prompts (or `scope`'s alone, under their own names). `visible` (policy) is asked about
   * each prompt by its server's own name for it.
   */
  async list(
    scope: string | null,
    waitMs: number,
    visible: (server: string, name: string) => boolean = () => true,
  ): Promise<MergedPrompts> {
    const collected = await this.#cache.collect(scope, waitMs);
    const groups = collected.lists.map(({ server, list }) => {
      const shown = list.items.filter((prompt) => visible(server, prompt.name));
      if (scope !== null) return { server, items: shown };
      const items: Prompt[] = [];
      for (const prompt of shown) {
        const name = list.index.toExposed.get(prompt.name);
        if (name !== undefined) items.push({ ...prompt, name });
      }
      return { server, items };
    });
    return { groups, unavailable: collected.unavailable };
  }

  /**
   * Where a prompt name leads: on a scoped endpoint the server's own name, on `/mcp` the exposed name through the
   * map. Null when no serving server lists it.
   */
  route(name: string, scope: string | null): PromptRoute | null {
    if (scope !== null) return { server: scope, prompt: name };
    const server = serverOfName(name, this.#separator);
    const prompt = server === null ? undefined : this.#cache.get(server)?.index.toUpstream.get(name);
    return prompt === undefined ? null : { server: server!, prompt };
  }

  /** The server a name would belong to, for waiting on it or naming it when it is down. */
  serverOf(name: string, scope: string | null): string | null {
    return scope ?? serverOfName(name, this.#separator);
  }

  whenListed(server: string, waitMs: number): Promise<boolean> {
    return this.#cache.whenListed(server, waitMs);
  }
}
