import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogRate, ProgressCoalescer, RateBucket } from '../../../../main/gateway/aggregate/notification-rate.ts';

function clock(): { now: () => number; advance(ms: number): void } {
  let at = 0;
  return { now: () => at, advance: (ms) => void (at += ms) };
}

test('a rate bucket lets a burst through, then refills at its rate', () => {
  const c = clock();
  const bucket = new RateBucket(2, c.now);
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), false);
  assert.equal(bucket.wait(), 500);
  c.advance(500);
  assert.equal(bucket.take(), true);
  assert.equal(bucket.idle, false);
  c.advance(10_000);
  assert.equal(bucket.idle, true, 'never more than a full bucket');
});

test('progress past the rate is coalesced to the newest, counted, and flushed before the result', () => {
  const c = clock();
  const sent: number[] = [];
  const progress = new ProgressCoalescer<number>((n) => void sent.push(n), 1, c.now);
  progress.push(1);
  progress.push(2);
  progress.push(3);
  progress.push(4);
  assert.deepEqual(sent, [1], 'one a second');
  assert.equal(progress.dropped, 2, '2 and 3 were replaced by a newer one');
  progress.flush();
  assert.deepEqual(sent, [1, 4], 'the newest goes out when the request ends');
  progress.flush();
  assert.deepEqual(sent, [1, 4], 'and only once');
});

test('the waiting progress goes out when its slot comes', async () => {
  const sent: number[] = [];
  const progress = new ProgressCoalescer<number>((n) => void sent.push(n), 50);
  for (let i = 1; i <= 51; i++) progress.push(i);
  assert.equal(sent.length, 50);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(sent.slice(-1), [51]);
  assert.equal(progress.dropped, 0);
});

test('a failed request discards its waiting progress and counts it', () => {
  const c = clock();
  const sent: number[] = [];
  const progress = new ProgressCoalescer<number>((n) => void sent.push(n), 1, c.now);
  progress.push(1);
  progress.push(2);
  progress.discard();
  progress.flush();
  assert.deepEqual(sent, [1]);
  assert.equal(progress.dropped, 1);
});

test('log messages past the rate are dropped and counted per server; instances have their own bucket', () => {
  const c = clock();
  const rate = new LogRate(2, c.now);
  assert.deepEqual(
    [rate.admit('a', null), rate.admit('a', null), rate.admit('a', null), rate.admit('a', 'x'), rate.admit('b', null)],
    [true, true, false, true, true],
  );
  assert.deepEqual([...rate.dropped], [['a', 1]]);
  c.advance(1_000);
  assert.equal(rate.admit('a', null), true);
});
