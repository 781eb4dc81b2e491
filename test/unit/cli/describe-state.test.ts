import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeState } from '../../../main/cli/describe-state.ts';

const exit = { code: 1, signal: null, stderrTail: [], at: 0, reason: 'exited with code 1' };

test('one line per state, with what a person needs to act', () => {
  assert.equal(describeState({ state: 'stopped' }, 0), 'stopped');
  assert.equal(describeState({ state: 'starting', since: 0, attempt: 2 }, 0), 'starting (attempt 2)');
  assert.equal(describeState({ state: 'running', since: 0, pid: 42 }, 0), 'running (pid 42)');
  assert.equal(describeState({ state: 'running', since: 0, pid: null }, 0), 'running');
  assert.equal(
    describeState({ state: 'degraded', since: 0, pid: 1, failedPings: 2, lastError: 'timed out' }, 0),
    'degraded: 2 failed health check(s), timed out',
  );
  assert.equal(
    describeState({ state: 'backoff', retryAt: 2_500, attempt: 3, lastExit: exit }, 1_000),
    'restarting in 1.5 s after: exited with code 1',
  );
  assert.equal(
    describeState({ state: 'backoff', retryAt: 0, attempt: 3, lastExit: exit }, 1_000),
    'restarting in 0.0 s after: exited with code 1',
  );
  assert.equal(
    describeState({ state: 'failed', reason: 'crash-loop', message: 'it ended 5 times', lastExit: exit }, 0),
    'failed (crash-loop): it ended 5 times',
  );
  for (const line of [describeState({ state: 'stopped' }, 0)]) assert.ok(!line.includes('\n'));
});
