// Deriving audit fields from what passed through: sizes, the text of a failed tool's answer, an upstream error's
// full detail. Kept apart from the routers so every kind of request records them the same way.
import { McpError } from '@modelcontextprotocol/sdk/types.js';

/** Characters of JSON a value takes on the wire (an estimate of its bytes that needs no second encoding). */
export function jsonSize(value: unknown): number | null {
  if (value === undefined) return null;
  return JSON.stringify(value)?.length ?? null;
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
