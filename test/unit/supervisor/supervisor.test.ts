import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { UpstreamClient } from '../../../main/supervisor/upstream-client.ts';
import type { ServerState } from '../../../main/supervisor/server-state.ts';
import { Supervisor, UnknownServerError } from '../../../main/supervisor/supervisor.ts';
import {
  captureLogger,
  GroupJanitor,
  fixtureConfig,
  liveGroupMembers,
  stateIs,
  tempDirs,
  waitForState,
} from './helpers.ts';

const dirs = tempDirs();
const groups = new GroupJanitor();
after(() => {
  groups.killAll();
  dirs.cleanup();
});

test('apply starts, stops, restarts and leaves alone exactly what the config says', async () => {
  const clients: Array<[string, UpstreamClient]> = [];
  const events: Array<[string, ServerState['state']]> = [];
  const supervisor = new Supervisor({
    logDir: dirs.logDir,
    runDir: dirs.runDir,
    logger: captureLogger().logger,
    onClient: (name, client) => clients.push([name, client]),
  });
  supervisor.on('state', (name, state) => events.push([name, state.state]));
  try {
    await supervisor.apply({ kept: fixtureConfig('echo'), later: fixtureConfig('echo', { enabled: false }) });
    const kept = supervisor.get('kept')!;
    await waitForState(kept, stateIs('running'));
    const keptPid = kept.pid!;
    groups.add(keptPid);
    assert.equal(supervisor.get('later')!.state.state, 'stopped');
    assert.deepEqual(
      supervisor.list().map((s) => s.name),
      ['kept', 'later'],
    );

    await supervisor.apply({
      kept: fixtureConfig('echo'),
      later: fixtureConfig('echo'),
      added: fixtureConfig('echo'),
    });
    await waitForState(supervisor.get('later')!, stateIs('running'));
    await waitForState(supervisor.get('added')!, stateIs('running'));
    const addedPid = supervisor.get('added')!.pid!;
    groups.add(addedPid);
    groups.add(supervisor.get('later')!.pid);
    assert.equal(kept.pid, keptPid, 'an unchanged server is left alone');
    assert.equal(kept.counters.spawns, 1);

    await supervisor.apply({
      kept: fixtureConfig('echo', { env: { CHANGED: '1' } }),
      later: fixtureConfig('echo', { enabled: false }),
    });
    assert.equal(supervisor.get('added'), undefined);
    assert.deepEqual(liveGroupMembers(addedPid), [], 'a removed server is stopped');
    assert.equal(supervisor.get('later')!.state.state, 'stopped');
    await waitForState(kept, stateIs('running'));
    assert.notEqual(kept.pid, keptPid, 'a changed server is restarted');
    groups.add(kept.pid);
    assert.equal(kept.counters.spawns, 2);

    assert.deepEqual(clients.map(([name]) => name).sort(), ['added', 'kept', 'kept', 'later']);
    assert.ok(events.some(([name, state]) => name === 'added' && state === 'stopped'));
  } finally {
    await supervisor.shutdown();
  }
});

test('start, stop and restart by name; unknown names are refused with the configured ones', async () => {
  const supervisor = new Supervisor({ logDir: dirs.logDir, runDir: dirs.runDir, logger: captureLogger().logger });
  try {
    await supervisor.apply({ one: fixtureConfig('echo') });
    const one = supervisor.get('one')!;
    await waitForState(one, stateIs('running'));
    groups.add(one.pid);
    const stateOf = (): string => one.state.state;
    await supervisor.stop('one');
    assert.equal(stateOf(), 'stopped');
    await supervisor.start('one');
    assert.equal(stateOf(), 'running');
    groups.add(one.pid);
    const pid = one.pid;
    await supervisor.restart('one');
    assert.equal(stateOf(), 'running');
    assert.notEqual(one.pid, pid);
    groups.add(one.pid);
    assert.throws(
      () => supervisor.stop('two'),
      (error: unknown) => {
        return error instanceof UnknownServerError && error.message === 'no server named "two"; configured: one';
      },
    );
  } finally {
    await supervisor.shutdown();
  }
});

test('shutdown stops every server, SIGTERM-proof groups included, and waits for them', async () => {
  const supervisor = new Supervisor({ logDir: dirs.logDir, runDir: dirs.runDir, logger: captureLogger().logger });
  await supervisor.apply({
    a: fixtureConfig('group', { timeouts: { stopGraceMs: 200 } }),
    b: fixtureConfig('group', { timeouts: { stopGraceMs: 200 } }),
    c: fixtureConfig('echo'),
  });
  const pgids: number[] = [];
  for (const server of supervisor.list()) {
    await waitForState(server, stateIs('running'));
    pgids.push(server.pid!);
    groups.add(server.pid);
  }
  await supervisor.shutdown();
  for (const pgid of pgids) assert.deepEqual(liveGroupMembers(pgid), []);
  assert.deepEqual(supervisor.list(), []);
  await supervisor.apply({ late: fixtureConfig('echo') });
  assert.equal(supervisor.get('late'), undefined, 'nothing is started after shutdown');
});
