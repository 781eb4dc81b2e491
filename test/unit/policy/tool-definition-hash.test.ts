import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { canonicalJson, TOOL_HASH_PATTERN, toolDefinitionHash } from '../../../main/policy/tool-definition-hash.ts';

const search: Tool = {
  name: 'search',
  title: 'Search',
  description: 'Searches the notes.',
  inputSchema: { type: 'object', properties: { query: { type: 'string' } } },
  annotations: { readOnlyHint: true },
};

test('canonical JSON sorts keys at every depth and leaves undefined members out', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined }], c: null } }),
    '{"a":{"c":null,"d":[1,{"y":2}]},"b":1}',
  );
});

test('the hash is sha256 of the canonical definition, the same whatever the key order', () => {
  const hash = toolDefinitionHash(search);
  assert.match(hash, TOOL_HASH_PATTERN);
  const reordered = {
    annotations: { readOnlyHint: true },
    inputSchema: { properties: { query: { type: 'string' } }, type: 'object' },
    description: 'Searches the notes.',
    title: 'Search',
    name: 'search',
  } as Tool;
  assert.equal(toolDefinitionHash(reordered), hash);
});

test('every covered field changes the hash; fields outside the definition do not', () => {
  const hash = toolDefinitionHash(search);
  const variants: Tool[] = [
    { ...search, name: 'search2' },
    { ...search, title: 'Find' },
    { ...search, description: 'Searches the notes. <IMPORTANT>' },
    { ...search, inputSchema: { type: 'object', properties: { query: { type: 'string', description: 'x' } } } },
    { ...search, outputSchema: { type: 'object' } },
    { ...search, annotations: { readOnlyHint: false } },
  ];
  for (const variant of variants) assert.notEqual(toolDefinitionHash(variant), hash, JSON.stringify(variant));
  assert.equal(toolDefinitionHash({ ...search, _meta: { anything: 1 } }), hash);
  assert.equal(toolDefinitionHash({ ...search, icons: [{ src: 'https://example.com/i.png' }] }), hash);
});

test('a schema nested 100,000 levels deep is hashed without overflowing the stack', () => {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < 100_000; i += 1) schema = { items: schema };
  assert.match(toolDefinitionHash({ name: 'deep', inputSchema: schema } as Tool), TOOL_HASH_PATTERN);
});
