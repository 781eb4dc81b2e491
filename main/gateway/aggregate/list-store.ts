// Each server's lists (tools, prompts, resources, resource templates) and capabilities from its last run, kept on
// disk in `<dataDir>/lists/<server>.json`, so an on-demand server that is not running still appears in every list
// at once, across restarts of the gateway too. A file is written atomically a moment after a list read differs
// from what it holds, and is untrusted on read: a file too large, not JSON, of another shape or naming another
// server is ignored whole, and an item that is not a valid MCP item is dropped, each logged; icons a client may not
// safely load are dropped from the items read, as from lists read from servers (icon-urls.ts, T65).
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  PromptSchema,
  ResourceSchema,
  ResourceTemplateSchema,
  ServerCapabilitiesSchema,
  ToolSchema,
  type Prompt,
  type Resource,
  type ResourceTemplate,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { SERVER_NAME_PATTERN } from '../../config/schema.ts';
import { writeFileAtomic } from '../../fs/atomic-write.ts';
import type { Logger } from '../../log/logger.ts';
import { withSafeIcons } from './icon-urls.ts';

/** A cached file larger than this is not read (a server's lists are a few hundred kB at most in practice). */
export const MAX_LIST_FILE_BYTES = 32 * 1024 * 1024;

/** Writes of one server's file are gathered for this long, so the four list reads after a start make one write. */
export const WRITE_DELAY_MS = 200;

export interface StoredItems {
  readonly tools: Tool;
  readonly prompts: Prompt;
  readonly resources: Resource;
  readonly resourceTemplates: ResourceTemplate;
}

export type StoredKind = keyof StoredItems;

const KINDS: readonly StoredKind[] = ['tools', 'prompts', 'resources', 'resourceTemplates'];

const ITEM_SCHEMAS: { readonly [K in StoredKind]: { safeParse(value: unknown): { success: boolean } } } = {
  tools: ToolSchema,
  prompts: PromptSchema,
  resources: ResourceSchema,
  resourceTemplates: ResourceTemplateSchema,
};

/** The file's outer shape; items are checked one by one against the SDK's own schemas. */
const fileSchema = z.object({
  version: z.literal(1),
  server: z.string().regex(SERVER_NAME_PATTERN),
  savedAt: z.string(),
  capabilities: z.unknown().optional(),
  tools: z.array(z.unknown()).optional(),
  prompts: z.array(z.unknown()).optional(),
  resources: z.array(z.unknown()).optional(),
  resourceTemplates: z.array(z.unknown()).optional(),
});

interface Entry {
  capabilities?: ServerCapabilities;
  tools?: readonly Tool[];
  prompts?: readonly Prompt[];
  resources?: readonly Resource[];
  resourceTemplates?: readonly ResourceTemplate[];
}

/** One kind of list of the store, as a ListCache uses it. */
export interface ListStoreView<T> {
  /** The server's cached list of this kind, or undefined when none was ever read. */
  load(server: string): readonly T[] | undefined;
  /** A list just read from the running server, with the capabilities it was read under. */
  save(server: string, items: readonly T[], capabilities: ServerCapabilities): void;
}

export interface ListStoreOptions {
  /** The folder holding one file per server. */
  readonly dir: string;
  readonly logger: Logger;
  readonly writeDelayMs?: number;
}

export class ListStore {
  readonly #dir: string;
  readonly #logger: Logger;
  readonly #writeDelayMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** The write of each server's file in progress, so writes of one file never overlap. */
  readonly #writing = new Map<string, Promise<void>>();

  constructor(options: ListStoreOptions) {
    this.#dir = options.dir;
    this.#logger = options.logger;
    this.#writeDelayMs = options.writeDelayMs ?? WRITE_DELAY_MS;
  }

  /** Reads every server's file; what cannot be trusted is logged and left out. Never rejects. */
  async load(): Promise<void> {
    let files: string[];
    try {
      files = await readdir(this.#dir);
    } catch {
      return; // No folder yet: nothing was ever cached.
    }
    for (const file of files) {
      const match = /^([a-z0-9-]+)\.json$/.exec(file);
      if (match === null || !SERVER_NAME_PATTERN.test(match[1]!)) continue;
      const entry = await this.#read(match[1]!, join(this.#dir, file));
      if (entry !== null) this.#entries.set(match[1]!, entry);
    }
  }

  async #read(server: string, path: string): Promise<Entry | null> {
    const skip = (why: string): null => {
      this.#logger.warn('ignoring a cached list file', { server, file: path, why });
      return null;
    };
    let parsed: unknown;
    try {
      const size = (await stat(path)).size;
      if (size > MAX_LIST_FILE_BYTES) return skip(`it is ${size} bytes, more than ${MAX_LIST_FILE_BYTES}`);
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      return skip((error as Error).message);
    }
    const file = fileSchema.safeParse(parsed);
    if (!file.success) return skip(`not a list cache file: ${file.error.issues[0]?.message ?? 'bad shape'}`);
    if (file.data.server !== server) return skip(`it names server "${file.data.server}"`);
    const entry: Entry = {};
    if (file.data.capabilities !== undefined) {
      const capabilities = ServerCapabilitiesSchema.safeParse(file.data.capabilities);
      if (!capabilities.success) return skip('its capabilities are not valid');
      entry.capabilities = capabilities.data as ServerCapabilities;
    }
    let dropped = 0;
    for (const kind of KINDS) {
      const items = file.data[kind];
      if (items === undefined) continue;
      const valid = items.filter((item) => ITEM_SCHEMAS[kind].safeParse(item).success);
      dropped += items.length - valid.length;
      (entry as Record<StoredKind, unknown[]>)[kind] = valid.map(withSafeIcons);
    }
    if (dropped > 0) this.#logger.warn('dropped invalid items from a cached list file', { server, dropped });
    return entry;
  }

  view<K extends StoredKind>(kind: K): ListStoreView<StoredItems[K]> {
    return {
      load: (server) => this.#entries.get(server)?.[kind] as readonly StoredItems[K][] | undefined,
      save: (server, items, capabilities) => this.#save(server, kind, items, capabilities),
    };
  }

  /** The capabilities the server had when its lists were last read. */
  capabilities(server: string): ServerCapabilities | undefined {
    return this.#entries.get(server)?.capabilities;
  }

  #save(server: string, kind: StoredKind, items: readonly unknown[], capabilities: ServerCapabilities): void {
    const entry = this.#entries.get(server) ?? {};
    if (isDeepStrictEqual(entry[kind], items) && isDeepStrictEqual(entry.capabilities, capabilities)) return;
    (entry as Record<StoredKind, unknown>)[kind] = items;
    entry.capabilities = capabilities;
    this.#entries.set(server, entry);
    if (this.#timers.has(server)) return;
    const timer = setTimeout(() => {
      this.#timers.delete(server);
      void this.#write(server);
    }, this.#writeDelayMs);
    timer.unref();
    this.#timers.set(server, timer);
  }

  #write(server: string): Promise<void> {
    const previous = this.#writing.get(server) ?? Promise.resolve();
    const run = previous.then(async () => {
      const entry = this.#entries.get(server);
      const path = join(this.#dir, `${server}.json`);
      try {
        if (entry === undefined) {
          await rm(path, { force: true });
          return;
        }
        await mkdir(this.#dir, { recursive: true, mode: 0o700 });
        const file = { version: 1, server, savedAt: new Date().toISOString(), ...entry };
        await writeFileAtomic(path, JSON.stringify(file) + '\n', 0o600);
      } catch (error) {
        this.#logger.warn('could not write the list cache', { server, error: (error as Error).message });
      }
    });
    this.#writing.set(server, run);
    void run.finally(() => {
      if (this.#writing.get(server) === run) this.#writing.delete(server);
    });
    return run;
  }

  /** A server left the configuration: its file goes too. */
  forget(server: string): void {
    if (!this.#entries.delete(server)) return;
    clearTimeout(this.#timers.get(server));
    this.#timers.delete(server);
    void this.#write(server);
  }

  /** Writes whatever is still waiting (on shutdown). */
  async flush(): Promise<void> {
    const waiting = [...this.#timers.keys()];
    for (const server of waiting) clearTimeout(this.#timers.get(server));
    this.#timers.clear();
    await Promise.all([...waiting.map((server) => this.#write(server)), ...this.#writing.values()]);
  }
}
