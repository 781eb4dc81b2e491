import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exitReason, stdoutNotJsonRpcReason, unavailableMessage } from '../../../main/supervisor/exit-info.ts';
import type { ExitInfo } from '../../../main/supervisor/server-state.ts';
import { fixtureConfig, remoteConfig } from './helpers.ts';

const config = fixtureConfig('echo');
const exit: ExitInfo = {
  code: 1,
  signal: null,
  stderrTail: ['a', 'b', 'c', 'd', 'e', 'f', 'fatal: no token'],
  at: 1_000,
  reason: exitReason(1, null),
};

test('a server in backoff says why, when the next retry is, and the last stderr lines', () => {
  const message = unavailableMessage({
    name: 'x',
    config,
    state: { state: 'backoff', retryAt: 3_000, attempt: 2, lastExit: exit },
    lastExit: exit,
    now: 1_000,
  });
  assert.equal(
    message,
    'server "x" is restarting after it exited with code 1; next retry in 2.0 s. Last stderr: c | d | e | f | fatal: no token',
  );
});

test('a parked server says it will not be retried until restarted by hand', () => {
  const message = unavailableMessage({
    name: 'x',
    config,
    state: { state: 'failed', reason: 'crash-loop', message: 'it ended 5 times within 120 s', lastExit: exit },
    lastExit: exit,
    now: 0,
  });
  assert.match(message, /^server "x" is parked: it ended 5 times within 120 s; last it exited with code 1\. No retry/);
  assert.match(message, /fatal: no token$/);
});

test('signals, spawn errors, stopped and remote servers are described', () => {
  assert.equal(exitReason(null, 'SIGKILL'), 'was killed by SIGKILL');
  assert.equal(stdoutNotJsonRpcReason('hello'), 'failed to start: stdout is not JSON-RPC; its first line was "hello"');
  const base = { name: 'x', config, lastExit: null, now: 0 };
  assert.equal(
    unavailableMessage({ ...base, state: { state: 'stopped' } }),
    'server "x" is stopped; start it to use its tools.',
  );
  assert.equal(
    unavailableMessage({
      ...base,
      state: { state: 'failed', reason: 'spawn-error', message: 'command "uvx" not found on PATH', lastExit: null },
    }),
    'server "x" could not be started: command "uvx" not found on PATH',
  );
  const remote = remoteConfig({ url: 'https://example.test/mcp' });
  const lost: ExitInfo = { ...exit, code: null, reason: 'closed the connection', stderrTail: ['fetch failed'] };
  assert.equal(
    unavailableMessage({
      ...base,
      config: remote,
      state: { state: 'backoff', retryAt: 500, attempt: 2, lastExit: lost },
    }),
    'server "x" is restarting after it closed the connection; next retry in 0.5 s. Last error: fetch failed',
  );
});
