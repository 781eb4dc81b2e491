import assert from 'node:assert/strict';
import { test } from 'node:test';
import { restartPolicySchema } from '../../../main/config/schema.ts';
import { backoffDelay, CrashHistory } from '../../../main/supervisor/backoff.ts';

const policy = restartPolicySchema.parse({
  initialBackoffMs: 100,
  maxBackoffMs: 1_000,
  maxCrashes: 5,
  crashWindowMs: 60_000,
});

test('backoff doubles from the initial delay up to the cap', () => {
  const noJitter = (): number => 0.5;
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 50].map((attempt) => backoffDelay(attempt, policy, noJitter)),
    [100, 200, 400, 800, 1_000, 1_000, 1_000],
  );
});

test('jitter stays within ±20% and never passes the cap', () => {
  assert.equal(
    backoffDelay(1, policy, () => 0),
    80,
  );
  assert.equal(
    backoffDelay(1, policy, () => 0.999_999),
    120,
  );
  assert.equal(
    backoffDelay(10, policy, () => 0.999_999),
    1_000,
  );
  assert.equal(
    backoffDelay(10, policy, () => 0),
    800,
  );
});

test('maxCrashes within the window parks the server; older crashes fall out of the window', () => {
  let now = 0;
  const history = new CrashHistory(
    policy,
    () => now,
    () => 0.5,
  );
  const verdicts = [];
  for (let i = 0; i < 4; i++) {
    verdicts.push(history.record());
    now += 1_000;
  }
  assert.deepEqual(
    verdicts.map((v) => (v.parked ? 'parked' : v.delayMs)),
    [100, 200, 400, 800],
  );
  assert.deepEqual(history.record(), { parked: true, crashes: 5 });

  now += 60_000;
  assert.equal(history.recent, 0);
  const fresh = history.record();
  assert.deepEqual(fresh, { parked: false, attempt: 1, delayMs: 100, retryAt: now + 100 });
});

test('reset forgets the history', () => {
  const history = new CrashHistory(
    policy,
    () => 0,
    () => 0.5,
  );
  for (let i = 0; i < 4; i++) history.record();
  history.reset();
  assert.equal(history.recent, 0);
  const verdict = history.record();
  assert.ok(!verdict.parked && verdict.delayMs === 100);
});
