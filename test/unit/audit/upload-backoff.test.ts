// The wait between upload tries: the receiver's Retry-After when it gave one, else a backoff that doubles from the
// initial wait up to the cap, jittered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelay } from '../../../main/audit/upload-backoff.ts';

const SETTINGS = { initialBackoffMs: 1_000, maxBackoffMs: 60_000 };
const MIDDLE = (): number => 0.5;

test('without Retry-After the wait doubles per failure up to the cap', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8, 40].map((failures) => retryDelay(failures, SETTINGS, null, MIDDLE)),
    [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000],
  );
});

test('jitter moves each wait by at most a fifth, never past the cap', () => {
  for (let i = 0; i < 200; i += 1) {
    const third = retryDelay(3, SETTINGS, null);
    assert.ok(third >= 3_200 && third <= 4_800, `${third}`);
    assert.ok(retryDelay(12, SETTINGS, null) <= SETTINGS.maxBackoffMs);
  }
});

test("the receiver's Retry-After replaces the backoff, shorter or longer", () => {
  assert.equal(retryDelay(6, SETTINGS, 1_500, MIDDLE), 1_500);
  assert.equal(retryDelay(1, SETTINGS, 120_000, MIDDLE), 120_000);
  assert.equal(retryDelay(1, SETTINGS, 0, MIDDLE), 0);
});
