// Pages of a merged list, with the gateway's own cursors. Upstream cursors belong to the hop between the gateway
// and one server (gateway notes 3) and never reach a client: the catalogs read every upstream page themselves. A
// gateway cursor says which servers are left, in order, and where to go on in the first of them; a server that
// has gone since is skipped, and one that has come since is not in this walk (list_changed tells the client to
// list again). A list that fits in one page is answered whole, with no cursor.
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { CallError } from './call-error.ts';
import type { ServerGroup } from './tool-catalog.ts';

export type ListName = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

interface CursorState {
  readonly v: 1;
  readonly k: ListName;
  /** Servers left, in the order of the walk; the first is where the next page starts. */
  readonly l: readonly string[];
  /** Items of the first server already sent. */
  readonly o: number;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
  /** The servers this page walked through (null: all of them, the first page), for naming the unavailable. */
  readonly walked: ReadonlySet<string> | null;
}

export function encodeCursor(state: Omit<CursorState, 'v'>): string {
  return Buffer.from(JSON.stringify({ v: 1, ...state }), 'utf8').toString('base64url');
}

/** The state behind a cursor of this list, or null when it is not one the gateway made for this list. */
export function decodeCursor(cursor: string, list: ListName): CursorState | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const state = parsed as Partial<CursorState>;
  const valid =
    state.v === 1 &&
    state.k === list &&
    Array.isArray(state.l) &&
    state.l.every((s) => typeof s === 'string') &&
    Number.isSafeInteger(state.o) &&
    state.o! >= 0;
  return valid ? (state as CursorState) : null;
}

/** One page of `groups`, starting where `cursor` says (or at the beginning). */
export function pageOf<T>(
  groups: readonly ServerGroup<T>[],
  list: ListName,
  cursor: string | undefined,
  pageSize: number,
): Page<T> {
  let order: readonly string[];
  let offset = 0;
  if (cursor === undefined) {
    order = groups.map((g) => g.server);
  } else {
    const state = decodeCursor(cursor, list);
    if (state === null) {
      throw new CallError(ErrorCode.InvalidParams, `Invalid cursor: not a cursor this gateway gave out for ${list}`);
    }
    order = state.l;
    offset = state.o;
  }
  const byServer = new Map(groups.map((g) => [g.server, g]));
  const items: T[] = [];
  const walked = cursor === undefined ? null : new Set(order);
  for (let i = 0; i < order.length; i++) {
    const group = byServer.get(order[i]!);
    if (group === undefined) continue;
    const start = i === 0 ? Math.min(offset, group.items.length) : 0;
    const slice = group.items.slice(start, start + (pageSize - items.length));
    items.push(...slice);
    const next = start + slice.length;
    if (next < group.items.length) {
      return { items, nextCursor: encodeCursor({ k: list, l: order.slice(i), o: next }), walked };
    }
    if (items.length >= pageSize) {
      const left = order.slice(i + 1).filter((server) => (byServer.get(server)?.items.length ?? 0) > 0);
      if (left.length > 0) return { items, nextCursor: encodeCursor({ k: list, l: left, o: 0 }), walked };
      return { items, walked };
    }
  }
  return { items, walked };
}
