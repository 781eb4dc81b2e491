// Arguments are bounded before they are encoded; plain data within every bound is encoded without a copy, and must
// come out exactly as the copy would.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundedCopy, boundedJson } from '../../../main/audit/audit-fields.ts';

test('bounded JSON is the JSON of the bounded copy, whether or not anything had to be cut', () => {
  const deep: Record<string, unknown> = {};
  let at = deep;
  for (let i = 0; i < 20; i += 1) at = (at.next = {}) as Record<string, unknown>;
  const values: unknown[] = [
    { path: '/srv/a.txt', query: 'hay', n: 3, on: true, none: null, gone: undefined },
    ['a', 1, [2, { b: 'c' }], null],
    Object.assign(Object.create(null) as object, { bare: 'object' }),
    'plain text',
    42,
    { long: 'x'.repeat(5_000) },
    { items: Array.from({ length: 150 }, (_, i) => i) },
    deep,
    { when: new Date(0), map: new Map([['k', 'v']]) },
  ];
  for (const value of values) assert.equal(boundedJson(value), JSON.stringify(boundedCopy(value)));
  assert.match(boundedJson({ long: 'x'.repeat(5_000) })!, /…\[cut: 2952 more characters\]/);
});
