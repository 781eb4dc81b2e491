import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { degradedSchema } from '../../../../main/config/schema.ts';
import { isCacheable, ResultCache } from '../../../../main/gateway/aggregate/result-cache.ts';

const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });

test('a result is found again for the same arguments in any key order, until it is too old', () => {
  let now = 1_000;
  const cache = new ResultCache({ now: () => now });
  cache.store('s', 'search', { q: 'x', page: 1 }, text('found'), 10);
  assert.deepEqual(cache.find('s', 'search', { page: 1, q: 'x' }, 60_000)?.result, text('found'));
  assert.equal(cache.find('s', 'search', { q: 'y', page: 1 }, 60_000), null, 'other arguments');
  assert.equal(cache.find('other', 'search', { q: 'x', page: 1 }, 60_000), null, 'another server');
  now += 60_001;
  assert.equal(cache.find('s', 'search', { q: 'x', page: 1 }, 60_000), null, 'past maxAgeMs');
});

test('a tool error is never kept; the oldest entries go first past the entry and byte bounds', () => {
  const cache = new ResultCache({ maxEntries: 2, maxBytes: 100 });
  cache.store('s', 't', { n: 0 }, { ...text('bad'), isError: true }, 1);
  assert.equal(cache.find('s', 't', { n: 0 }, 1e9), null);
  for (const n of [1, 2, 3]) cache.store('s', 't', { n }, text(String(n)), 10);
  assert.equal(cache.find('s', 't', { n: 1 }, 1e9), null, 'the oldest left past two entries');
  assert.ok(cache.find('s', 't', { n: 3 }, 1e9));
  cache.store('s', 't', { n: 4 }, text('big'), 95);
  assert.equal(cache.find('s', 't', { n: 3 }, 1e9), null, 'bytes bound');
  cache.store('s', 't', { n: 5 }, text('huge'), 101);
  assert.equal(cache.find('s', 't', { n: 5 }, 1e9), null, 'larger than the whole budget: not kept');
});

test('a tool is cacheable by name, or by its read-only and idempotent annotations when the server says so', () => {
  const settings = degradedSchema.parse({ tools: ['get_*'] });
  const hinted = degradedSchema.parse({ hinted: true });
  const safe: Tool = {
    name: 'list',
    inputSchema: { type: 'object' },
    annotations: { readOnlyHint: true, idempotentHint: true },
  };
  const readOnlyOnly: Tool = { ...safe, annotations: { readOnlyHint: true } };
  assert.equal(isCacheable(undefined, safe, 'list'), false, 'off unless configured');
  assert.equal(isCacheable(settings, undefined, 'get_page'), true);
  assert.equal(isCacheable(settings, safe, 'list'), false, 'annotations count only with hinted');
  assert.equal(isCacheable(hinted, safe, 'list'), true);
  assert.equal(isCacheable(hinted, readOnlyOnly, 'list'), false, 'read-only alone is not enough');
});
