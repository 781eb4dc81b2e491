import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffDefinitions, formatDiff } from '../../../main/pins/definition-diff.ts';

test('changes are listed field by field, with JSON paths inside schemas', () => {
  const before = {
    name: 'search',
    description: 'Searches.',
    inputSchema: { type: 'object', properties: { q: { type: 'string' }, 'odd key': { type: 'number' } } },
    annotations: { readOnlyHint: true },
  };
  const after = {
    name: 'search',
    title: 'Search',
    description: 'Searches.\u200B',
    inputSchema: { type: 'object', properties: { q: { type: 'string', description: 'x' } }, required: ['q'] },
  };
  assert.deepEqual(formatDiff(diffDefinitions(before, after)), [
    '+ title: "Search"',
    '~ description: "Searches." → "Searches.<U+200B>"',
    '- inputSchema.properties["odd key"]: {"type":"number"}',
    '+ inputSchema.properties.q.description: "x"',
    '+ inputSchema.required: ["q"]',
    '- annotations: {"readOnlyHint":true}',
  ]);
  assert.deepEqual(diffDefinitions(before, structuredClone(before)), []);
});

test('arrays of another length are one change; of the same length, item by item', () => {
  assert.deepEqual(formatDiff(diffDefinitions({ inputSchema: { enum: [1, 2] } }, { inputSchema: { enum: [1, 3] } })), [
    '~ inputSchema.enum[1]: 2 → 3',
  ]);
  assert.deepEqual(formatDiff(diffDefinitions({ inputSchema: { enum: [1] } }, { inputSchema: { enum: [1, 3] } })), [
    '~ inputSchema.enum: [1] → [1,3]',
  ]);
});
