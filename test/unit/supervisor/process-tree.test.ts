import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { ManagedServer } from '../../../main/supervisor/managed-server.ts';
import { pidRecordFor, readPidFile, reapPredecessor, writePidFile } from '../../../main/supervisor/pid-file.ts';
import { spawnTree } from '../../../main/supervisor/process-tree.ts';
import { currentSpawnEnvInputs, buildChildEnv } from '../../../main/supervisor/spawn-env.ts';
import {
  captureLogger,
  GroupJanitor,
  eventually,
  fixtureConfig,
  liveGroupMembers,
  stateIs,
  stdioConfig,
  tempDirs,
  waitForState,
  zombieChildren,
} from './helpers.ts';

const dirs = tempDirs();
const groups = new GroupJanitor();
after(() => {
  groups.killAll();
  dirs.cleanup();
});

test('T40 stop leaves no process of the group, in the order stdin close, SIGTERM, SIGKILL', async () => {
  const log = captureLogger();
  const server = new ManagedServer({
    name: 'group',
    // The fixture and its `sh … sleep` children all ignore SIGTERM, so every step of the stop is needed.
    config: fixtureConfig('group', { timeouts: { stopGraceMs: 300 } }),
    logDir: dirs.logDir,
    runDir: dirs.runDir,
    logger: log.logger,
  });
  try {
    await server.start();
    await waitForState(server, stateIs('running'));
    const pgid = server.pid!;
    groups.add(pgid);
    await eventually(() => liveGroupMembers(pgid).length >= 3, 5_000, 'node, sh and sleep in the group');
    assert.ok(readPidFile(dirs.runDir, 'group')?.pid === pgid);

    await server.stop();
    await eventually(() => liveGroupMembers(pgid).length === 0, 5_000, 'an empty group');
    assert.equal(readPidFile(dirs.runDir, 'group'), null, 'the pid file is removed at a clean stop');

    const steps = log
      .messages()
      .filter((m) => m.startsWith('stop: '))
      .map((m) => m.slice('stop: '.length));
    assert.deepEqual(steps, ['closing stdin', 'sending SIGTERM to process group', 'sending SIGKILL to process group']);
    assert.deepEqual(zombieChildren(), []);
  } finally {
    await server.dispose();
  }
});

test('T40 100 start/stop cycles leave no zombie and no process behind', async () => {
  const server = new ManagedServer({
    name: 'cycles',
    config: stdioConfig({ command: 'sh', args: ['-c', 'sleep 1000 & wait'], timeouts: { stopGraceMs: 10 } }),
    logDir: dirs.logDir,
    runDir: dirs.runDir,
    logger: captureLogger().logger,
  });
  const seen = new Set<number>();
  try {
    for (let i = 0; i < 100; i++) {
      const starting = server.start();
      await eventually(() => server.pid !== null, 5_000, 'a spawned process');
      seen.add(server.pid!);
      groups.add(server.pid);
      await server.stop();
      await starting;
    }
    assert.equal(server.counters.spawns, 100);
    assert.equal(seen.size, 100);
    await eventually(() => zombieChildren().length === 0, 5_000, 'no zombie children');
    for (const pgid of seen) assert.deepEqual(liveGroupMembers(pgid), [], `group ${pgid} is empty`);
  } finally {
    await server.dispose();
  }
});

test('a leader killed by itself takes the rest of its group with it', async () => {
  const log = captureLogger();
  const env = buildChildEnv({}, currentSpawnEnvInputs());
  const tree = await spawnTree({
    command: '/bin/sh',
    args: ['-c', 'sleep 1000 & sleep 1000 & wait'],
    env,
    cwd: dirs.root,
    graceMs: 200,
    logger: log.logger,
  });
  groups.add(tree.pgid);
  await eventually(() => liveGroupMembers(tree.pgid).length === 3, 5_000, 'sh and two sleeps');
  process.kill(tree.pid, 'SIGKILL');
  const status = await tree.done;
  assert.deepEqual(status, { code: null, signal: 'SIGKILL' });
  assert.deepEqual(liveGroupMembers(tree.pgid), []);
  assert.ok(log.messages().includes('leader exited; terminating the rest of its process group'));
});

test('a group left by a crashed predecessor is killed at the next start; an unrelated pid is left alone', async () => {
  const log = captureLogger();
  // What a crashed gateway leaves: a detached group still running, and its pid file.
  const orphan = spawn('sh', ['-c', 'sleep 1000 & wait'], { detached: true, stdio: 'ignore' });
  const pid = orphan.pid!;
  groups.add(pid);
  await eventually(() => liveGroupMembers(pid).length === 2, 5_000, 'the orphan group');
  writePidFile(dirs.runDir, 'orphan', pidRecordFor(pid, 'sh'));

  // The same pid with another start time is somebody else's process now.
  const record = readPidFile(dirs.runDir, 'orphan')!;
  writePidFile(dirs.runDir, 'orphan', { ...record, startTime: (record.startTime ?? 0) + 1 });
  assert.equal(await reapPredecessor(dirs.runDir, 'orphan', 200, log.logger), false);
  assert.equal(liveGroupMembers(pid).length, 2);

  writePidFile(dirs.runDir, 'orphan', record);
  const server = new ManagedServer({
    name: 'orphan',
    config: fixtureConfig('echo'),
    logDir: dirs.logDir,
    runDir: dirs.runDir,
    logger: log.logger,
  });
  try {
    await server.start();
    await waitForState(server, stateIs('running'));
    assert.deepEqual(liveGroupMembers(pid), []);
    assert.ok(log.messages().includes('a previous run left this server running; stopping its process group'));
    assert.equal(readPidFile(dirs.runDir, 'orphan')?.pid, server.pid);
  } finally {
    await server.dispose();
  }
});
