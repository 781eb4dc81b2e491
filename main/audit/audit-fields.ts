// Deriving audit fields from what passed through: sizes, the text of a failed tool's answer, an upstream error's
// full detail. Kept apart from the routers so every kind of request records them the same way.
import { McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * About how many characters of JSON a value takes on the wire, counted by walking it rather than encoding it: a
 * 1 MiB argument is measured without building a second megabyte on the path every call waits on.
 */
export function jsonSize(value: unknown): number | null {
  if (value === undefined) return null;
  return sizeOf(value, 0);
}

function sizeOf(value: unknown, depth: number): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  if (value === null || value === undefined || depth > 32) return 4;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + sizeOf(item, depth + 1) + 1, 2);
  if (typeof value === 'object') {
    let size = 2;
    // for…in allocates nothing; on the plain objects of JSON it walks the same keys as Object.entries.
    for (const key in value) size += key.length + 4 + sizeOf((value as Record<string, unknown>)[key], depth + 1);
    return size;
  }
  return 0;
}

/** Strings longer than this are cut before a value is encoded for the audit log, which keeps 8 KiB of it anyway. */
const MAX_STRING = 2_048;
const MAX_ITEMS = 100;

/**
 * The JSON of a value as its boundedCopy encodes: the value itself when it is plain data within every bound (the
 * usual arguments), which checks without building a copy, and the copy otherwise.
 */
export function boundedJson(value: unknown): string | undefined {
  return JSON.stringify(withinBounds(value, 0) ? value : boundedCopy(value));
}

/** Whether boundedCopy would cut nothing and the value encodes as its copy does: arrays and plain objects only. */
function withinBounds(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.length <= MAX_STRING;
  if (value === null || typeof value !== 'object') return true;
  if (depth > 16) return false;
  if (Array.isArray(value)) {
    if (value.length > MAX_ITEMS) return false;
    for (const item of value) if (!withinBounds(item, depth + 1)) return false;
    return true;
  }
  // Anything else (a Date, a Map, a class with toJSON) encodes differently from its entries: the copy decides.
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  // for…in allocates nothing; on a plain object it walks the same keys as Object.entries.
  for (const key in value) if (!withinBounds((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}

/** A copy small enough to encode cheaply: long strings and arrays cut, with a marker saying so. */
export function boundedCopy(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length <= MAX_STRING
      ? value
      : `${value.slice(0, MAX_STRING)}…[cut: ${value.length - MAX_STRING} more characters]`;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > 16) return '…[cut: nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => boundedCopy(item, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `…[cut: ${value.length - MAX_ITEMS} more items]`] : items;
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, boundedCopy(item, depth + 1)]));
}

/** The first text of a tool result's content: what a failed tool said. */
export function firstText(result: { content?: unknown }): string | null {
  if (!Array.isArray(result.content)) return null;
  const text = result.content.find((c: { type?: unknown }) => c?.type === 'text') as { text?: unknown } | undefined;
  return typeof text?.text === 'string' ? text.text : null;
}

/** What an upstream error said, all of it: code, message, data (often a stack) and our own stack when no data came. */
export function upstreamErrorDetail(error: unknown): unknown {
  if (error instanceof McpError) return { code: error.code, message: error.message, data: error.data };
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  return { message: String(error) };
}

/** What policy decided for a request, until team policy exists: every request is allowed by the default rule. */
export const DEFAULT_DECISION = { decision: 'allow', rule: 'default' } as const;
