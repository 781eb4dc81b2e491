// `switchboard serve` as a real process, driven by the CLI as a person would: servers added and a token created
// before it runs, `status` and `server list` both ways, `server restart` while it runs, kill -9 and the next serve
// reaping what the dead one left when its watchdog died with it (T73), and SIGTERM with calls in flight (drain, exit 0, no process left).
// Every server process carries a random marker in its environment, so /proc tells which are ours.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { updateConfig } from '../../../main/config/update-config.ts';
import type { StatusReport } from '../../../main/core/status-report.ts';
import { FIXTURE, GATEWAY_FIXTURE, NODE, REPO } from '../../helpers/gateway-harness.ts';
import { report, runCliInProcess, timed, waitUntil } from '../gateway/support.ts';
import { killAll, processesWithEnv, runBin, startServe, watchdogsOf, type ServeProcess } from './serve-process.ts';

const MARKER_NAME = 'SWITCHBOARD_TEST_MARKER';
const marker = randomUUID();
const DRAIN_MS = 3_000;
const SERVERS = ['grp', 'slow', 'everything'] as const;

let dataDir: string;
let token: string;
let serve: ServeProcess | null = null;
const clients: Client[] = [];

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchboard-serve-'));
});

after(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  if (serve && serve.child.exitCode === null && serve.child.signalCode === null) {
    serve.child.kill('SIGKILL');
    await serve.exited;
  }
  killAll(processesWithEnv(MARKER_NAME, marker));
  await rm(dataDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCliInProcess(['--data-dir', dataDir, ...args]);

async function status(): Promise<StatusReport & { running: boolean }> {
  const run = await cli('status', '--json');
  assert.equal(run.code, 0, run.err);
  return JSON.parse(run.out) as StatusReport & { running: boolean };
}

async function allRunning(): Promise<StatusReport> {
  return waitUntil(
    async () => {
      const now = await status();
      return now.running &&
        now.servers.length === SERVERS.length &&
        now.servers.every((s) => s.state.state === 'running')
        ? now
        : undefined;
    },
    'every server to run',
    30_000,
  );
}

function pids(report: StatusReport): Record<string, number | null> {
  return Object.fromEntries(report.servers.map((s) => [s.name, s.pid]));
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'serve-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

test('without a running serve: servers are added, a token created, status and server list read the config', async () => {
  const env = `--env=${MARKER_NAME}=${marker}`;
  for (const args of [
    ['grp', env, '--', NODE, FIXTURE, 'group'],
    ['slow', env, '--', NODE, GATEWAY_FIXTURE, 'tools'],
    ['everything', env, `--cwd=${REPO}`, '--', 'npx', '--no-install', '@modelcontextprotocol/server-everything'],
  ]) {
    const added = await cli('server', 'add', ...args);
    assert.equal(added.code, 0, added.err);
  }
  // Settings the CLI has no flags for: a short drain and a short stop grace, so the test is quick; and servers that
  // run from the start (`server add` makes new stdio servers on-demand), since this test is about running ones.
  const edited = await updateConfig(dataDir, (draft) => {
    const servers = { ...draft.servers };
    for (const name of SERVERS) {
      servers[name] = { ...servers[name]!, start: 'always', timeouts: { stopGraceMs: 500 } };
    }
    return { ...draft, gateway: { drainMs: DRAIN_MS }, servers };
  });
  assert.ok(edited.ok, JSON.stringify(edited));

  const created = await cli('token', 'create', 'ide', '--json');
  assert.equal(created.code, 0, created.err);
  token = (JSON.parse(created.out) as { token: string }).token;
  assert.ok(token.length > 20);

  const offline = await status();
  assert.equal(offline.running, false);
  assert.deepEqual(offline.servers.map((s) => s.name).sort(), [...SERVERS].sort());
  assert.ok(offline.servers.every((s) => (s.state as unknown) === null && s.pid === null));
  const text = await cli('status');
  assert.match(text.out, /not running/);
  const listed = await cli('server', 'list', '--json');
  const rows = JSON.parse(listed.out) as { name: string; state: unknown }[];
  assert.deepEqual(rows.map((r) => r.name).sort(), [...SERVERS].sort());
  assert.ok(rows.every((r) => r.state === null));
  const restart = await cli('server', 'restart', 'slow');
  assert.notEqual(restart.code, 0);
  assert.match(restart.err, /not running.*switchboard serve/);
});

test('serve prints its URL; status, server list and SWITCHBOARD_HOME see it running; tools answer', async (t) => {
  const started = performance.now();
  serve = await startServe(dataDir);
  const live = await allRunning();
  report(t, 'serve up with three servers running', performance.now() - started);
  assert.equal(live.gatewayUrl, serve.url);
  assert.equal(live.pid, serve.child.pid);

  const viaHome = await runCliInProcess(['status', '--json'], { SWITCHBOARD_HOME: dataDir });
  assert.equal((JSON.parse(viaHome.out) as { running: boolean }).running, true);
  const viaBin = await runBin(['status'], { SWITCHBOARD_HOME: dataDir });
  assert.equal(viaBin.code, 0, viaBin.err);
  assert.match(viaBin.out, new RegExp(`running \\(pid ${serve.child.pid}\\)`));
  assert.match(viaBin.out, /slow\s+running \(pid \d+\)/);
  const listed = JSON.parse((await cli('server', 'list', '--json')).out) as {
    name: string;
    state: { state: string };
  }[];
  assert.ok(listed.every((r) => r.state.state === 'running'));

  const client = await connect(serve.url);
  const names = (await client.listTools()).tools.map((tool) => tool.name);
  for (const name of ['grp__echo', 'slow__sleep', 'everything__echo']) assert.ok(names.includes(name), name);
  const echo = await client.callTool({ name: 'everything__echo', arguments: { message: 'via npx' } });
  assert.deepEqual(echo.content, [{ type: 'text', text: 'Echo: via npx' }]);
  report(t, 'processes carrying the marker', String(processesWithEnv(MARKER_NAME, marker).length));
});

test('`switchboard server restart` (the real binary) restarts one server while serve runs; the others keep their pid', async () => {
  const before = pids(await status());
  const run = await runBin(['--data-dir', dataDir, 'server', 'restart', 'slow']);
  assert.equal(run.code, 0, run.err);
  const after = await waitUntil(async () => {
    const now = await allRunning();
    return pids(now).slow !== before.slow ? now : undefined;
  }, 'slow to get a new pid');
  assert.equal(pids(after).grp, before.grp);
  assert.equal(pids(after).everything, before.everything);
  const bad = await runBin(['--data-dir', dataDir, 'server', 'restart', 'nope']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /no server named "nope"/);
});

test('T73: after kill -9 of serve, the next serve reaps every process the dead one left', async (t) => {
  const previous = processesWithEnv(MARKER_NAME, marker);
  assert.ok(previous.length >= 5, `expected the servers and their children, found ${previous.length}`);
  // The watchdog would reap them within seconds (parent-death.test.ts); here it dies too, as when the
  // out-of-memory killer takes both, and the pid files are what is left.
  const watchdogs = watchdogsOf(dataDir);
  assert.equal(watchdogs.length, 1, 'serve runs one orphan watchdog');
  killAll(watchdogs);
  serve!.child.kill('SIGKILL');
  await serve!.exited;
  await sleep(300);
  const orphans = processesWithEnv(MARKER_NAME, marker);
  report(t, 'marked processes before kill -9 / left after it', `${previous.length} / ${orphans.length}`);
  assert.ok(orphans.length > 0, 'nothing survived kill -9, so this test shows nothing');

  serve = await startServe(dataDir);
  const restartedAt = performance.now();
  await allRunning();
  const survivors = await waitUntil(
    () => {
      const alive = new Set(processesWithEnv(MARKER_NAME, marker));
      return orphans.every((pid) => !alive.has(pid)) ? [] : undefined;
    },
    'the orphans to be reaped',
    5_000,
  ).catch(() => orphans.filter((pid) => processesWithEnv(MARKER_NAME, marker).includes(pid)));
  report(t, 'orphans gone after restart', performance.now() - restartedAt);
  assert.deepEqual(survivors, [], 'processes of the killed serve survived its successor');
});

test('SIGTERM with calls in flight: a short call finishes, a stuck one is cut by the drain, exit 0, nothing left', async (t) => {
  const client = await connect(serve!.url);
  const settled: string[] = [];
  const finishing = timed(() => client.callTool({ name: 'slow__sleep', arguments: { ms: 1_500 } })).finally(() =>
    settled.push('finishing'),
  );
  const stuck = timed(() => client.callTool({ name: 'slow__hang', arguments: {} })).finally(() =>
    settled.push('stuck'),
  );
  await sleep(300);
  const signalled = performance.now();
  serve!.child.kill('SIGTERM');

  const done = await finishing;
  assert.deepEqual(done.value?.content, [{ type: 'text', text: 'slept 1500 ms' }], String(done.error));
  const cut = await stuck;
  report(t, 'stuck call answered after SIGTERM', performance.now() - signalled);
  assert.ok(cut.error instanceof Error, 'the stuck call did not fail');
  // The drain's own error (not slow's 60 s callMs), and only after the drain had let the short call finish.
  assert.match(cut.error.message, /shutting down and the call did not finish within gateway\.drainMs/);
  assert.deepEqual(settled, ['finishing', 'stuck']);

  const exit = await serve!.exited;
  report(t, 'serve exited after SIGTERM', performance.now() - signalled);
  assert.deepEqual(exit, { code: 0, signal: null }, serve!.stderr());
  const left = await waitUntil(
    () => (processesWithEnv(MARKER_NAME, marker).length === 0 ? [] : undefined),
    'every marked process to end',
    5_000,
  ).catch(() => processesWithEnv(MARKER_NAME, marker));
  assert.deepEqual(left, []);
  const offline = await status();
  assert.equal(offline.running, false);
});
