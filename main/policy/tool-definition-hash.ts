// The fingerprint of a tool's definition: what a user approves when a tool is first seen (tool pinning, T28) and
// what a team policy names in `policy.pinnedTools`. Only what tells a model how to use the tool is covered (name,
// title, description, input and output schemas, annotations); canonical JSON with sorted keys, so the same
// definition hashes the same whatever order a server writes its keys in.
import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

export const DEFINITION_FIELDS = [
  'name',
  'title',
  'description',
  'inputSchema',
  'outputSchema',
  'annotations',
] as const;

type DefinitionField = (typeof DEFINITION_FIELDS)[number];

/** The fields the hash covers, as a plain object (absent fields left out). */
export type ToolDefinition = { readonly [F in DefinitionField]?: unknown };

export function definitionOf(tool: Tool | ToolDefinition): ToolDefinition {
  const source = tool as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const field of DEFINITION_FIELDS) {
    if (source[field] !== undefined) picked[field] = source[field];
  }
  return picked;
}

/**
 * JSON with every object's keys sorted; `undefined` members are left out, as JSON.stringify does. Written with
 * an explicit stack: a server may send a schema nested deeper than recursion survives.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const stack: ({ text: string } | { value: unknown })[] = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('text' in item) {
      out.push(item.text);
      continue;
    }
    const v = item.value;
    if (v === null || typeof v !== 'object') {
      out.push(JSON.stringify(v) ?? 'null');
      continue;
    }
    const work: ({ text: string } | { value: unknown })[] = [];
    if (Array.isArray(v)) {
      work.push({ text: '[' });
      v.forEach((member: unknown, i) => {
        if (i > 0) work.push({ text: ',' });
        work.push({ value: member === undefined ? null : member });
      });
      work.push({ text: ']' });
    } else {
      const record = v as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort();
      work.push({ text: '{' });
      keys.forEach((key, i) => {
        work.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(key)}:` }, { value: record[key] });
      });
      work.push({ text: '}' });
    }
    for (let i = work.length - 1; i >= 0; i -= 1) stack.push(work[i]!);
  }
  return out.join('');
}

const cache = new WeakMap<object, string>();

/** `sha256:<hex>` of the canonical definition; remembered per object, since lists are checked on every request. */
export function toolDefinitionHash(tool: Tool | ToolDefinition): string {
  const known = cache.get(tool);
  if (known !== undefined) return known;
  const hash = `sha256:${createHash('sha256')
    .update(canonicalJson(definitionOf(tool)))
    .digest('hex')}`;
  cache.set(tool, hash);
  return hash;
}

/** Whether text is a hash in the form this module writes. */
export const TOOL_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;
