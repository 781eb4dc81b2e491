import assert from 'node:assert/strict';
import { test } from 'node:test';
import { burstLoad, formatSoak, growth, parseSoakMinutes, settled } from '../../../bench/soak.ts';

test('growth compares the median of the first three readings with the median of the last three', () => {
  // A single high reading at either end (a collection not yet run) does not decide the figure.
  const g = growth([100, 140, 100, 101, 102, 103, 110, 105, 150]);
  assert.deepEqual({ start: g.startRssMb, end: g.endRssMb }, { start: 100, end: 110 });
  assert.equal(g.growthPercent, 10);
  assert.throws(() => growth([1, 2, 3, 4, 5]), /needs 6 readings, got 5/);
});

test('--soak-minutes takes fractions of a minute up to a day and names itself when wrong', () => {
  assert.equal(parseSoakMinutes('0.5'), 0.5);
  assert.equal(parseSoakMinutes('10'), 10);
  for (const bad of ['0', 'ten', '-1', '1441', '']) {
    assert.throws(() => parseSoakMinutes(bad), /--soak-minutes must be a number of minutes from 0.1 to 1440/);
  }
});

test('the warm-up burst makes exactly its calls, round-robin over the servers, a few at a time, and counts failures', async () => {
  const made: string[] = [];
  let running = 0;
  let most = 0;
  const call = (name: string, fails: boolean) => async (): Promise<void> => {
    made.push(name);
    running += 1;
    most = Math.max(most, running);
    await new Promise((resolve) => setImmediate(resolve));
    running -= 1;
    if (fails) throw new Error('refused');
  };
  const result = await burstLoad([call('a', false), call('b', false), call('c', true)], 10, 4);
  assert.deepEqual(result, { made: 10, errors: 3 });
  assert.deepEqual(made, ['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c', 'a']);
  assert.equal(most, 4);
});

test('the warm-up has settled once a window no longer falls by more than 1% below the one before', () => {
  assert.equal(settled([150]), false);
  assert.equal(settled([150, 140]), false);
  assert.equal(settled([150, 140, 139]), true);
  // Growth ends the warm-up at once: it is what the soak is there to measure.
  assert.equal(settled([140, 146]), true);
});

test('the soak report fails on a failed warm-up call and says when the warm-up ran out before RSS settled', () => {
  const result = {
    servers: 20,
    idleRssMb: 120,
    minutes: 10,
    callsPerSecond: 50,
    calls: 30_000,
    errors: 0,
    startRssMb: 135,
    endRssMb: 137,
    peakRssMb: 138,
    growthPercent: 1.5,
    samples: 119,
    warmupSeconds: 40,
    warmupSettled: true,
    warmupErrors: 0,
  };
  const clean = formatSoak(result);
  assert.match(clean, /then 40 s at 50 calls\/s \(until RSS stopped falling\), 0 errors/);
  assert.match(clean, /growth over the soak +1\.5% .* pass/);
  const failed = formatSoak({ ...result, warmupErrors: 2, warmupSettled: false, warmupSeconds: 120 });
  assert.match(failed, /then 120 s at 50 calls\/s \(the most it waits; RSS was still falling\), 2 errors/);
  assert.match(failed, /growth over the soak +1\.5% .* FAIL/);
});
