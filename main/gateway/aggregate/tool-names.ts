// Aggregated tool names: `<server><separator><tool>`, always within MCP's name rules (1-128 characters of
// A-Z a-z 0-9 _ - .). A name that would break them (too long, other characters) is cleaned, cut and given a hash
// of the original. Server names cannot contain the separator, and each server's map is checked for clashes, so
// two tools can never share an exposed name; routing uses the map, never string splitting.
import { createHash } from 'node:crypto';

const MAX_NAME = 128;
const VALID = /^[A-Za-z0-9_.-]{1,128}$/;
/** Tries at a clash-free hash; past this a tool is left out rather than share a name (never seen in practice). */
const MAX_SALT = 100;

export interface ToolNameMap {
  /** Exposed name → upstream name. */
  readonly toUpstream: ReadonlyMap<string, string>;
  /** Upstream name → exposed name. */
  readonly toExposed: ReadonlyMap<string, string>;
}

export function buildToolNameMap(server: string, separator: string, upstreamNames: readonly string[]): ToolNameMap {
  const toUpstream = new Map<string, string>();
  const toExposed = new Map<string, string>();
  const prefix = `${server}${separator}`;
  const unique = [...new Set(upstreamNames)];
  // Names that are valid as they stand come first and keep their name whatever else the server lists; only the
  // others are renamed, so a valid name never changes because an invalid one was added or removed.
  const renamed: string[] = [];
  for (const name of unique) {
    const exposed = prefix + name;
    if (!VALID.test(exposed)) {
      renamed.push(name);
      continue;
    }
    toUpstream.set(exposed, name);
    toExposed.set(name, exposed);
  }
  for (const name of renamed) {
    let exposed = hashedName(prefix, name, 0);
    // A server may list a tool named like another's hashed name; a clash picks a new hash, never a shared name.
    for (let salt = 1; toUpstream.has(exposed) && salt <= MAX_SALT; salt++) exposed = hashedName(prefix, name, salt);
    if (toUpstream.has(exposed)) continue;
    toUpstream.set(exposed, name);
    toExposed.set(name, exposed);
  }
  return { toUpstream, toExposed };
}

/** A name the rules allow, keeping as much of the original as fits, plus a hash that keeps it unique. */
function hashedName(prefix: string, name: string, salt: number): string {
  const hash = createHash('sha256')
    .update(salt === 0 ? name : `${salt}:${name}`)
    .digest('hex')
    .slice(0, 8);
  const cleaned = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  const room = MAX_NAME - prefix.length - hash.length - 1;
  return `${prefix}${cleaned.slice(0, Math.max(0, room))}-${hash}`;
}

/** The server a name would belong to, for error messages about tools of servers that are down. */
export function serverOfName(name: string, separator: string): string | null {
  const at = name.indexOf(separator);
  return at > 0 ? name.slice(0, at) : null;
}
