import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listenForCallback } from '../../../main/oauth/loopback-listener.ts';

test('an answer that comes before the wait begins is kept for it; a second early one is not', async (t) => {
  const listener = await listenForCallback(0);
  t.after(() => listener.close());
  const first = await fetch(`${listener.redirectUrl}?code=a&state=s`);
  assert.equal(first.status, 200);
  const second = await fetch(`${listener.redirectUrl}?code=b&state=s`);
  assert.equal(second.status, 400, 'only one answer is kept');
  const got = await listener.next(1_000, (url) => url.searchParams.get('state') === 's');
  assert.equal(got.searchParams.get('code'), 'a');
});

test('a kept answer the wait does not accept is dropped, and the wait goes on for the right one', async (t) => {
  const listener = await listenForCallback(0);
  t.after(() => listener.close());
  assert.equal((await fetch(`${listener.redirectUrl}?code=x&state=other`)).status, 200);
  const waiting = listener.next(5_000, (url) => url.searchParams.get('state') === 'mine');
  assert.equal((await fetch(`${listener.redirectUrl}?code=y&state=mine`)).status, 200);
  assert.equal((await waiting).searchParams.get('code'), 'y');
  assert.equal((await fetch(`${listener.redirectUrl.replace('/oauth/callback', '/other')}`)).status, 404);
});
