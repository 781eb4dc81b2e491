import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ManagedServer } from '../../../main/supervisor/managed-server.ts';
import type { ServerState } from '../../../main/supervisor/server-state.ts';
import {
  eventually,
  fixtureConfig,
  liveGroupMembers,
  managedServers,
  stateIs,
  stdioConfig,
  tempDirs,
  waitForState,
} from './helpers.ts';

const dirs = tempDirs();
const servers: ManagedServer[] = [];
after(async () => {
  await Promise.allSettled(servers.map((s) => s.dispose()));
  dirs.cleanup();
});

const managed = managedServers(dirs, (server) => servers.push(server), { random: () => 0.5 });

function recordStates(server: ManagedServer): ServerState[] {
  const states: ServerState[] = [];
  server.on('state', (state) => states.push(state));
  return states;
}

const fastRestart = { initialBackoffMs: 50, maxBackoffMs: 200, maxCrashes: 5, crashWindowMs: 120_000 };

test('T37 a server exiting 1 at start is parked in crash-loop after at most 6 spawns, and a manual restart resets it', async () => {
  const server = managed('crasher', fixtureConfig('crash-on-start', { restart: fastRestart }));
  const states = recordStates(server);
  const messagesInBackoff: string[] = [];
  const delays: number[] = [];
  server.on('state', (state) => {
    if (state.state !== 'backoff') return;
    // The state is emitted in the same synchronous step that computed retryAt, so this is the chosen delay.
    delays.push(state.retryAt - Date.now());
    messagesInBackoff.push(server.unavailableError());
  });
  await server.start();
  const parked = await waitForState(server, stateIs('failed'), 30_000);
  assert.ok(parked.state === 'failed' && parked.reason === 'crash-loop');
  assert.ok(server.counters.spawns <= 6, `spawned ${server.counters.spawns} times`);
  assert.equal(server.counters.spawns, 5);
  assert.equal(server.counters.crashes, 5);
  assert.equal(server.client, null);
  assert.equal(parked.lastExit?.code, 1);
  assert.deepEqual(parked.lastExit?.stderrTail, ['starting fixture', 'fatal: FIXTURE_TOKEN is not set']);

  // Exponential backoff: 50, 100, 200 (cap), 200 ms with the jitter fixed at its midpoint.
  assert.equal(delays.length, 4);
  for (const [i, expected] of [50, 100, 200, 200].entries()) {
    assert.ok(Math.abs(delays[i]! - expected) <= 20, `delay ${i} was ${delays[i]} ms, expected ${expected}`);
  }
  assert.match(
    messagesInBackoff[0]!,
    /^server "crasher" is restarting after it exited with code 1; next retry in 0\.\d s\./,
  );
  assert.match(messagesInBackoff[0]!, /Last stderr: starting fixture \| fatal: FIXTURE_TOKEN is not set$/);

  const message = server.unavailableError();
  assert.match(message, /exited with code 1/);
  assert.match(message, /fatal: FIXTURE_TOKEN is not set/);
  assert.match(message, /No retry until it is restarted by hand/);

  // After a manual restart the next crash is an ordinary backoff again, not an immediate park.
  states.length = 0;
  await server.restart();
  await waitForState(server, (s) => s.state === 'backoff' || s.state === 'failed');
  assert.deepEqual(
    states.slice(0, 3).map((s) => s.state),
    ['stopped', 'starting', 'backoff'],
  );
  assert.equal(server.counters.spawns, 6);
  await server.stop();
});

test('T37 a crash mid-call fails that call at once and the server restarts', async () => {
  const server = managed('mid-call', fixtureConfig('echo', { restart: fastRestart }));
  await server.start();
  await waitForState(server, stateIs('running'));
  const client = server.client!;
  // Closed, not timed out: the call fails with the connection instead of waiting out its 60 s timeout.
  await assert.rejects(client.callTool({ name: 'exit', arguments: { code: 3 } }), (error: unknown) => {
    return error instanceof McpError && error.code === ErrorCode.ConnectionClosed;
  });
  const backoff = await waitForState(server, stateIs('backoff'));
  assert.ok(backoff.state === 'backoff');
  assert.equal(backoff.lastExit.code, 3);
  assert.deepEqual(backoff.lastExit.stderrTail, ['exiting with 3 in the middle of a call']);
  await waitForState(server, stateIs('running'));
  assert.equal(server.counters.spawns, 2);
  assert.notEqual(server.client, client);
  await server.stop();
});

test('T37 a server silent on initialize fails at the startup timeout and is stopped', async () => {
  const server = managed(
    'silent',
    fixtureConfig('hang-init', { restart: { ...fastRestart, mode: 'never' }, timeouts: { startupMs: 1_000 } }),
  );
  const starting = server.start();
  await eventually(() => server.pid !== null, 10_000, 'the spawned process');
  const pid = server.pid!;
  await starting;
  const failed = await waitForState(server, stateIs('failed'));
  assert.ok(failed.state === 'failed' && failed.reason === 'exited');
  assert.equal(failed.lastExit?.reason, 'did not answer initialize within 1000 ms');
  assert.match(server.unavailableError(), /did not answer initialize within 1000 ms/);
  await eventually(() => liveGroupMembers(pid).length === 0, 5_000, 'the silent process to be stopped');
  await server.stop();
});

test('T37 with on-failure a hung start is retried with backoff', async () => {
  const server = managed(
    'silent-retry',
    fixtureConfig('hang-init', { restart: fastRestart, timeouts: { startupMs: 500 } }),
  );
  await server.start();
  const backoff = await waitForState(server, stateIs('backoff'));
  assert.ok(backoff.state === 'backoff' && backoff.lastExit.reason === 'did not answer initialize within 500 ms');
  await server.stop();
});

test('T37 a clean exit follows the restart policy', async () => {
  const exitWith = async (name: string, mode: string, code: number): Promise<ServerState> => {
    const server = managed(name, fixtureConfig('echo', { restart: { ...fastRestart, mode } }));
    await server.start();
    await waitForState(server, stateIs('running'));
    await server.client!.callTool({ name: 'exit', arguments: { code } }).catch(() => {});
    const next = await waitForState(server, (s) => s.state === 'failed' || s.state === 'backoff');
    await server.stop();
    return next;
  };
  const onFailure = await exitWith('clean-on-failure', 'on-failure', 0);
  assert.ok(onFailure.state === 'failed' && onFailure.reason === 'exited');
  assert.equal(onFailure.message, 'it exited with code 0 and its restart policy is "on-failure"');
  const always = await exitWith('clean-always', 'always', 0);
  assert.equal(always.state, 'backoff');
  const never = await exitWith('crash-never', 'never', 4);
  assert.ok(never.state === 'failed' && never.reason === 'exited' && never.lastExit?.code === 4);
});

test('a command that is not on PATH fails with spawn-error and is not retried', async () => {
  const server = managed('missing', stdioConfig({ command: 'switchboard-no-such-command' }));
  await server.start();
  const failed = server.state;
  assert.ok(failed.state === 'failed' && failed.reason === 'spawn-error');
  assert.match(failed.message, /^command "switchboard-no-such-command" not found on PATH \(searched: /);
  assert.equal(server.counters.spawns, 0);
  assert.match(server.unavailableError(), /could not be started: command "switchboard-no-such-command" not found/);
});

test('failed pings make a server degraded, and it recovers when they answer again', async () => {
  const server = managed(
    'slow',
    fixtureConfig('echo', { health: { intervalMs: 100, timeoutMs: 100, restartAfterFailures: 0 } }),
  );
  await server.start();
  await waitForState(server, stateIs('running'));
  const call = server.client!.callTool({ name: 'freeze', arguments: { ms: 1_500 } });
  const degraded = await waitForState(server, stateIs('degraded'));
  assert.ok(degraded.state === 'degraded' && degraded.failedPings >= 1 && degraded.lastError !== '');
  assert.notEqual(server.client, null, 'a degraded server still serves');
  await call;
  await waitForState(server, stateIs('running'));
  assert.equal(server.counters.spawns, 1);
  await server.stop();
});

test('a server that keeps failing pings is restarted', async () => {
  const server = managed(
    'frozen',
    fixtureConfig('echo', {
      restart: fastRestart,
      health: { intervalMs: 100, timeoutMs: 100, restartAfterFailures: 2 },
      timeouts: { stopGraceMs: 100 },
    }),
  );
  await server.start();
  await waitForState(server, stateIs('running'));
  const firstPid = server.pid!;
  server.client!.callTool({ name: 'freeze', arguments: { ms: 60_000 } }).catch(() => {});
  const backoff = await waitForState(server, stateIs('backoff'));
  assert.ok(backoff.state === 'backoff');
  assert.match(backoff.lastExit.reason, /^stopped answering pings \(2 failed in a row; last: /);
  await waitForState(server, stateIs('running'));
  assert.notEqual(server.pid, firstPid);
  assert.deepEqual(liveGroupMembers(firstPid), []);
  await server.stop();
});

test('stop during a start kills the process being started', async () => {
  const server = managed('early-stop', fixtureConfig('hang-init', { timeouts: { startupMs: 60_000 } }));
  const starting = server.start();
  await eventually(() => server.pid !== null, 10_000, 'the spawned process');
  const pid = server.pid!;
  await server.stop();
  await starting;
  assert.equal(server.state.state, 'stopped');
  assert.deepEqual(liveGroupMembers(pid), []);
});
