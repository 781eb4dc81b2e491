// Degraded mode's memory: the last good result of each cacheable tool for each set of arguments, so that while its
// server is down a call can still be answered, labelled as cached and with its age. A tool is cacheable only by the
// server's own opt-in (`degraded.tools`, or `degraded.hinted` for tools annotated read-only and idempotent):
// answering from memory is right only for calls whose answer does not depend on when they are made.
// Bounded in entries and bytes, oldest out first; nothing is written to disk.
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { DegradedSettings } from '../../config/schema.ts';
import { globMatcher, type NameMatcher } from '../../policy/glob.ts';
import { canonicalJson } from '../../policy/tool-definition-hash.ts';

export interface CachedResult {
  readonly result: CallToolResult;
  readonly storedAt: number;
}

/** Whether calls of this tool may be answered from the cache while its server is down. */
export function isCacheable(settings: DegradedSettings | undefined, tool: Tool | undefined, name: string): boolean {
  if (settings === undefined) return false;
  if (settings.tools.length > 0 && namedTools(settings)(name)) return true;
  const annotations = tool?.annotations;
  return settings.hinted && annotations?.readOnlyHint === true && annotations.idempotentHint === true;
}

/** One matcher per settings object (a config value), not one per call. */
const matchers = new WeakMap<DegradedSettings, NameMatcher>();

function namedTools(settings: DegradedSettings): NameMatcher {
  let matcher = matchers.get(settings);
  if (matcher === undefined) matchers.set(settings, (matcher = globMatcher(settings.tools)));
  return matcher;
}

export class ResultCache {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  /** In insertion order, so the first key is the oldest. */
  readonly #entries = new Map<string, CachedResult & { readonly bytes: number }>();
  #bytes = 0;

  constructor(options: { maxEntries?: number; maxBytes?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? 1_000;
    this.#maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.#now = options.now ?? Date.now;
  }

  /** Keeps a good result (not `isError`) of a call; one larger than the whole budget is not kept. */
  store(server: string, tool: string, args: unknown, result: CallToolResult, bytes: number): void {
    if (result.isError === true || bytes > this.#maxBytes) return;
    const key = keyOf(server, tool, args);
    this.#drop(key);
    this.#entries.set(key, { result, storedAt: this.#now(), bytes });
    this.#bytes += bytes;
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#drop(oldest);
    }
  }

  /** The last good result for exactly these arguments, if it is younger than `maxAgeMs`. */
  find(server: string, tool: string, args: unknown, maxAgeMs: number): CachedResult | null {
    const entry = this.#entries.get(keyOf(server, tool, args));
    if (entry === undefined || this.#now() - entry.storedAt > maxAgeMs) return null;
    return { result: entry.result, storedAt: entry.storedAt };
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}

function keyOf(server: string, tool: string, args: unknown): string {
  return `${server}\u0000${tool}\u0000${canonicalJson(args ?? {})}`;
}
