// What a config change means for the supervisor: which servers to start, stop, restart, or leave alone.
import { isDeepStrictEqual } from 'node:util';
import type { ServerConfig } from './schema.ts';

export interface ServerDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Any field differs, `enabled` included: the supervisor decides what a change needs. */
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
}

/** Compares two parsed server maps by name; each list is sorted so logs and tests read the same every time. */
export function diffServers(
  prev: Readonly<Record<string, ServerConfig>>,
  next: Readonly<Record<string, ServerConfig>>,
): ServerDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const [name, server] of Object.entries(next)) {
    if (!Object.hasOwn(prev, name)) added.push(name);
    else if (isDeepStrictEqual(prev[name], server)) unchanged.push(name);
    else changed.push(name);
  }
  for (const name of Object.keys(prev)) {
    if (!Object.hasOwn(next, name)) removed.push(name);
  }
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort(), unchanged: unchanged.sort() };
}
