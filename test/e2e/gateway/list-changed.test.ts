// notifications/tools/list_changed reaches clients whenever the merged list changes: a server changes its tools,
// a server is added, changed or removed in config.json (by hand or with `switchboard server add|remove` while the
// core runs), restarted with `switchboard server restart`, or crashes. Servers the change does not concern keep
// running: their pid stays the same.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { updateConfig } from '../../../main/config/update-config.ts';
import {
  GATEWAY_FIXTURE,
  NODE,
  gatewayFixtureServer,
  isRunning,
  startHarness,
  type Harness,
} from '../../helpers/gateway-harness.ts';
import { report, runCliInProcess, waitUntil } from './support.ts';

interface Watched {
  readonly client: Client;
  count: number;
}

let h: Harness;
let all: Watched;
let scoped: Watched;

async function watch(path: string): Promise<Watched> {
  const client = await h.connect({ path });
  const watched: Watched = { client, count: 0 };
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    watched.count += 1;
  });
  return watched;
}

/**
 * The GET stream that carries list_changed opens right after initialize; until it is open a notification has
 * nowhere to go. Changing a tool until one arrives proves it is open.
 */
async function streamReady(watched: Watched, server: string): Promise<void> {
  let probe = 0;
  await waitUntil(
    async () => {
      const before = watched.count;
      probe += 1;
      await watched.client.callTool({
        name: watched === scoped ? 'add-tool' : `${server}__add-tool`,
        arguments: { text: `probe-${probe}` },
      });
      await sleep(150);
      return watched.count > before;
    },
    `the GET stream of ${server}`,
    15_000,
  );
}

function pidOf(server: string): number {
  const pid = h.core.supervisor.get(server)?.pid;
  assert.ok(typeof pid === 'number', `${server} has no pid`);
  return pid;
}

function isAlive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
  return state !== 'Z' && state !== 'X';
}

async function toolNames(): Promise<string[]> {
  return (await all.client.listTools()).tools.map((tool) => tool.name);
}

before(async () => {
  h = await startHarness({
    servers: {
      fx: gatewayFixtureServer('tools', { restart: { initialBackoffMs: 200, maxBackoffMs: 500 } }),
      keep: gatewayFixtureServer('tools'),
      gone: gatewayFixtureServer('tools'),
    },
  });
  await Promise.all(['fx', 'keep', 'gone'].map((name) => h.waitForState(name, isRunning)));
  all = await watch('/mcp');
  scoped = await watch('/mcp/keep');
  await streamReady(all, 'fx');
  await streamReady(scoped, 'keep');
});
after(() => h.close());

test('a server that changes its tools is announced, to /mcp and not to other servers’ endpoints', async (t) => {
  const before = { all: all.count, scoped: scoped.count };
  const started = performance.now();
  await all.client.callTool({ name: 'fx__add-tool', arguments: { text: 'extra' } });
  await waitUntil(() => all.count > before.all, 'list_changed after add-tool');
  report(t, 'list_changed after a tool was added', performance.now() - started);
  assert.ok((await toolNames()).includes('fx__extra'));
  const called = await all.client.callTool({ name: 'fx__extra', arguments: {} });
  assert.deepEqual(called.content, [{ type: 'text', text: 'called extra' }]);

  const mid = all.count;
  await all.client.callTool({ name: 'fx__remove-tool', arguments: { text: 'extra' } });
  await waitUntil(() => all.count > mid, 'list_changed after remove-tool');
  assert.ok(!(await toolNames()).includes('fx__extra'));
  await sleep(200);
  assert.equal(scoped.count, before.scoped, '/mcp/keep heard about fx');
});

test('a server added to config.json with `server add` is started and announced; the others keep running', async () => {
  const pids = { fx: pidOf('fx'), keep: pidOf('keep'), gone: pidOf('gone') };
  const before = all.count;
  const added = await runCliInProcess([
    '--data-dir',
    h.dataDir,
    'server',
    'add',
    'added',
    '--start',
    'always',
    '--',
    NODE,
    GATEWAY_FIXTURE,
    'tools',
  ]);
  assert.equal(added.code, 0, added.err);
  await h.waitForState('added', isRunning);
  await waitUntil(() => all.count > before, 'list_changed after the server was added');
  await waitUntil(async () => (await toolNames()).includes('added__echo'), 'added__echo in the list');
  const echo = await all.client.callTool({ name: 'added__echo', arguments: { text: 'new' } });
  assert.deepEqual(echo.content, [{ type: 'text', text: 'new' }]);
  assert.deepEqual({ fx: pidOf('fx'), keep: pidOf('keep'), gone: pidOf('gone') }, pids);
});

test('a server whose entry changed is restarted with the new config; the others keep running', async () => {
  const pids = { fx: pidOf('fx'), keep: pidOf('keep'), added: pidOf('added') };
  const old = pidOf('gone');
  const before = all.count;
  const edited = await updateConfig(h.dataDir, (draft) => ({
    ...draft,
    servers: { ...draft.servers, gone: gatewayFixtureServer('tools', { env: { EDITED: 'yes' } }) },
  }));
  assert.ok(edited.ok);
  await waitUntil(
    () => h.core.supervisor.get('gone')?.pid !== old && isRunning(h.core.supervisor.get('gone')!.state),
    'gone to restart',
  );
  await waitUntil(() => all.count > before, 'list_changed after the restart');
  const env = await all.client.callTool({ name: 'gone__echo', arguments: { text: 'edited' } });
  assert.deepEqual(env.content, [{ type: 'text', text: 'edited' }]);
  assert.ok(!isAlive(old), `the old process ${old} still runs`);
  assert.deepEqual({ fx: pidOf('fx'), keep: pidOf('keep'), added: pidOf('added') }, pids);
});

test('`server remove` while the core runs stops the server and announces it', async () => {
  const pids = { fx: pidOf('fx'), keep: pidOf('keep'), added: pidOf('added') };
  const old = pidOf('gone');
  const before = all.count;
  const removed = await runCliInProcess(['--data-dir', h.dataDir, 'server', 'remove', 'gone']);
  assert.equal(removed.code, 0, removed.err);
  await waitUntil(() => all.count > before, 'list_changed after the server was removed');
  await waitUntil(async () => !(await toolNames()).some((n) => n.startsWith('gone__')), 'gone__ tools to go');
  await waitUntil(() => !isAlive(old), `process ${old} to end`);
  assert.equal(h.core.supervisor.get('gone'), undefined);
  const call = await all.client.callTool({ name: 'gone__echo', arguments: { text: 'x' } }).catch((e: Error) => e);
  assert.ok(call instanceof Error && /Unknown tool/.test(call.message), String(call));
  assert.deepEqual({ fx: pidOf('fx'), keep: pidOf('keep'), added: pidOf('added') }, pids);
});

test('`server restart` while the core runs restarts only that server and announces it', async () => {
  const keep = pidOf('keep');
  const old = pidOf('fx');
  const before = all.count;
  const restarted = await runCliInProcess(['--data-dir', h.dataDir, 'server', 'restart', 'fx']);
  assert.equal(restarted.code, 0, restarted.err);
  assert.match(restarted.out, /fx/);
  await waitUntil(
    () => h.core.supervisor.get('fx')?.pid !== old && isRunning(h.core.supervisor.get('fx')!.state),
    'fx to restart',
  );
  await waitUntil(() => all.count > before, 'list_changed after the restart');
  await waitUntil(async () => (await toolNames()).includes('fx__echo'), 'fx__echo back in the list');
  assert.equal(pidOf('keep'), keep);
  assert.ok(!isAlive(old));
});

test('a crash is announced, and so is the server coming back', async () => {
  const before = all.count;
  await all.client.callTool({ name: 'fx__exit', arguments: { code: 1 } }).catch(() => {});
  await waitUntil(() => all.count > before, 'list_changed after the crash');
  await h.waitForState('fx', isRunning);
  await waitUntil(async () => (await toolNames()).includes('fx__echo'), 'fx__echo back in the list');
  await waitUntil(() => all.count >= before + 2, 'a second list_changed for the tools coming back');
});
