import assert from 'node:assert/strict';
import { test } from 'node:test';
import { growth, parseSoakMinutes } from '../../../bench/soak.ts';

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
