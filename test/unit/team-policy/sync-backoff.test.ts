import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextPollDelay } from '../../../main/team-policy/sync-backoff.ts';

const middle = () => 0.5;

test('T89 polls every interval while the endpoint answers', () => {
  assert.equal(nextPollDelay(300_000, 0, middle), 300_000);
});

test('T89 after failures, retries start at the smaller of 10 s and the interval and double', () => {
  const delays = [1, 2, 3, 4].map((n) => nextPollDelay(300_000, n, middle));
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000]);
  assert.equal(nextPollDelay(200, 1, middle), 200);
  assert.equal(nextPollDelay(200, 3, middle), 800);
});

test('T89 the backoff stops growing at 16 intervals, however many failures', () => {
  assert.equal(nextPollDelay(300_000, 40, middle), 4_800_000);
  assert.equal(nextPollDelay(300_000, 5000, middle), 4_800_000);
});

test('jitter keeps each delay within ±20 %', () => {
  assert.equal(
    nextPollDelay(1000, 0, () => 0),
    800,
  );
  assert.equal(
    nextPollDelay(1000, 0, () => 1),
    1200,
  );
});
