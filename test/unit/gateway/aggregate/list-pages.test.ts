import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallError } from '../../../../main/gateway/aggregate/call-error.ts';
import { decodeCursor, encodeCursor, pageOf } from '../../../../main/gateway/aggregate/list-pages.ts';

const groups = [
  { server: 'a', items: ['a1', 'a2', 'a3'] },
  { server: 'b', items: [] as string[] },
  { server: 'c', items: ['c1', 'c2'] },
  { server: 'd', items: ['d1'] },
];

function walk(list: typeof groups, pageSize: number): string[][] {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = pageOf(list, 'tools', cursor, pageSize);
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 50);
  return pages;
}

test('a list that fits in a page is answered whole, with no cursor', () => {
  const page = pageOf(groups, 'tools', undefined, 10);
  assert.deepEqual(page.items, ['a1', 'a2', 'a3', 'c1', 'c2', 'd1']);
  assert.equal(page.nextCursor, undefined);
  assert.equal(page.walked, null);
});

test('pages run across servers, each item once, in order', () => {
  assert.deepEqual(walk(groups, 2), [
    ['a1', 'a2'],
    ['a3', 'c1'],
    ['c2', 'd1'],
  ]);
  assert.deepEqual(walk(groups, 3), [
    ['a1', 'a2', 'a3'],
    ['c1', 'c2', 'd1'],
  ]);
  assert.deepEqual(walk(groups, 1).flat(), ['a1', 'a2', 'a3', 'c1', 'c2', 'd1']);
});

test('the cursor names the servers left and the place in the first', () => {
  const page = pageOf(groups, 'tools', undefined, 4);
  assert.deepEqual(decodeCursor(page.nextCursor!, 'tools'), { v: 1, k: 'tools', l: ['c', 'd'], o: 1 });
  const next = pageOf(groups, 'tools', page.nextCursor, 4);
  assert.deepEqual(next.walked, new Set(['c', 'd']));
});

test('a server gone between pages is skipped; one that came is not in this walk', () => {
  const first = pageOf(groups, 'tools', undefined, 2);
  const changed = [{ server: 'new', items: ['n1'] }, ...groups.filter((g) => g.server !== 'a')];
  const rest = pageOf(changed, 'tools', first.nextCursor, 10);
  assert.deepEqual(rest.items, ['c1', 'c2', 'd1']);
});

test('a cursor of another list, a made-up one and a damaged one are refused with -32602', () => {
  const prompts = encodeCursor({ k: 'prompts', l: ['a'], o: 0 });
  for (const cursor of [prompts, 'nonsense', Buffer.from('{"v":1,"k":"tools","l":[1],"o":0}').toString('base64url')]) {
    assert.throws(
      () => pageOf(groups, 'tools', cursor, 2),
      (error: unknown) => error instanceof CallError && error.code === -32602 && /Invalid cursor/.test(error.message),
    );
  }
  assert.equal(decodeCursor(encodeCursor({ k: 'tools', l: ['a'], o: -1 }), 'tools'), null);
});

test('an offset past the end of a shrunken list goes on with the next server', () => {
  const cursor = encodeCursor({ k: 'tools', l: ['a', 'c'], o: 99 });
  assert.deepEqual(pageOf(groups, 'tools', cursor, 10).items, ['c1', 'c2']);
});
