// Children die with the gateway: after `kill -9` of a real `switchboard serve`, its orphan watchdog
// (main/supervisor/orphan-watchdog.ts) terminates every process of its stdio servers within a bound, without
// waiting for a next start. The server runs the fixture's `group` mode: it ignores SIGTERM and keeps a `sleep`
// child that never reads stdin, so EOF on stdin alone would leave both running (see T73 in serve.test.ts).
// A clean SIGTERM stands the watchdog down. Linux only (/proc tells which processes are ours).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { FIXTURE, NODE } from '../../helpers/gateway-harness.ts';
import { report, waitUntil } from '../gateway/support.ts';
import { killAll, processesWithEnv, startServe, watchdogsOf, type ServeProcess } from './serve-process.ts';

const MARKER_NAME = 'SWITCHBOARD_TEST_MARKER';
const marker = randomUUID();
/** The watchdog's grace between SIGTERM and SIGKILL is 2 s; the rest is slack for a loaded machine. */
const BOUND_MS = 6_000;
let dataDir: string;
let serve: ServeProcess | null = null;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchboard-parent-death-'));
  const server = { command: NODE, args: [FIXTURE, 'group'], env: { [MARKER_NAME]: marker } };
  const written = await writeConfig(dataDirPaths(dataDir).config, { servers: { stubborn: server, other: server } });
  assert.ok(written.ok, JSON.stringify(written));
});

after(async () => {
  if (serve !== null && serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
  killAll([...processesWithEnv(MARKER_NAME, marker), ...watchdogsOf(dataDir)]);
  await rm(dataDir, { recursive: true, force: true });
});

const marked = () => processesWithEnv(MARKER_NAME, marker);

test('kill -9 of serve: the processes of its servers are gone within the bound, no next start needed', async (t) => {
  serve = await startServe(dataDir);
  // Two servers, each a node process with a shell and a sleep under it.
  const children = await waitUntil(() => (marked().length >= 6 ? marked() : undefined), 'the servers to start', 20_000);
  const watchdogs = watchdogsOf(dataDir);

  serve.child.kill('SIGKILL');
  await serve.exited;
  const killedAt = performance.now();
  const left = await waitUntil(
    () => (marked().length === 0 ? [] : undefined),
    'the orphans to be terminated',
    BOUND_MS,
  ).catch(() => marked());
  report(t, `ms until ${children.length} orphaned processes were gone`, performance.now() - killedAt);
  assert.deepEqual(left, [], 'processes of the killed serve outlived it');
  assert.equal(watchdogs.length, 1, 'serve ran one watchdog');
  await waitUntil(() => (watchdogsOf(dataDir).length === 0 ? true : undefined), 'the watchdog to exit', 3_000);
});

test('SIGTERM of serve: it stops its servers itself and the watchdog stands down', async () => {
  serve = await startServe(dataDir);
  await waitUntil(() => (marked().length >= 6 ? true : undefined), 'the servers to start', 20_000);
  const [watchdog] = watchdogsOf(dataDir);
  assert.ok(watchdog !== undefined);
  serve.child.kill('SIGTERM');
  assert.equal((await serve.exited).code, 0);
  assert.deepEqual(marked(), []);
  await waitUntil(() => (watchdogsOf(dataDir).length === 0 ? true : undefined), 'the watchdog to exit', 3_000);
});
