// A stdio server that speaks only 2026-07-28 (test/fixtures/modern-upstream.ts with `--stdio`, the SDK 2.x
// `serveStdio` refusing `initialize`), supervised with `protocol: "2026-07-28"` over Switchboard's own pipes and
// process handling: served to a legacy client, checked by `server/discover`, and stopped with nothing left running.
// `auto` is refused at `initialize`, and the server is started again in 2026-07-28; `old` is held to 2025-11-25.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { NODE, REPO, isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { waitUntil } from '../gateway/support.ts';

const FIXTURE = `${REPO}test/fixtures/modern-upstream.ts`;
/** Only a guard against hanging: each wait below ends by an event, never by a clock. */
const GUARD_MS = 15_000;

let h: Harness;

before(async () => {
  h = await startHarness({
    servers: {
      ms: {
        command: NODE,
        args: [FIXTURE, '--stdio'],
        protocol: '2026-07-28',
        health: { intervalMs: 100, timeoutMs: 2_000, restartAfterFailures: 2 },
      },
      auto: { command: NODE, args: [FIXTURE, '--stdio'] },
      old: { command: NODE, args: [FIXTURE, '--stdio'], protocol: '2025-11-25' },
      iso: { command: NODE, args: [FIXTURE, '--stdio'], protocol: '2026-07-28', isolation: 'per-session' },
    },
  });
  await Promise.all(['ms', 'auto', 'iso'].map((name) => h.waitForState(name, isRunning, GUARD_MS)));
});
after(() => h.close());

function textOf(result: unknown): string {
  return (result as CallToolResult).content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

/** The requests the fixture has received, by method, from its stderr (`request <method>`). */
function received(method: string, server = 'ms'): number {
  const lines = h.core.supervisor.get(server)?.stderrTail(500) ?? [];
  return lines.filter((line) => line === `request ${method}`).length;
}

test('status shows the stdio server running in the 2026-07-28 era; it was never sent initialize', () => {
  const status = h.core.status().servers.find((s) => s.name === 'ms');
  assert.equal(status?.state.state, 'running');
  assert.equal(status?.era, 'modern');
  assert.equal(typeof status?.pid, 'number');
  assert.equal(received('initialize'), 0);
  assert.ok(received('server/discover') >= 1, 'the connection began with server/discover');
});

test('auto: a refused initialize stops that process and starts the server again in 2026-07-28', () => {
  const status = h.core.status().servers.find((s) => s.name === 'auto');
  assert.equal(status?.state.state, 'running');
  assert.equal(status?.era, 'modern');
  const records = h.logLines.map((line) => JSON.parse(line) as { msg: string; server?: string; pid?: number });
  const ofAuto = records.filter((r) => r.server === 'auto');
  const again = ofAuto.findIndex((r) => r.msg === 'server speaks only 2026-07-28; starting it again in that era');
  const stopped = ofAuto.findIndex((r) => r.msg === 'stop: closing stdin');
  assert.ok(stopped >= 0 && again > stopped, 'the refused process was stopped before the server was started again');
  const refusedPid = ofAuto[stopped]!.pid!;
  assert.notEqual(refusedPid, status?.pid);
  assert.throws(() => process.kill(-refusedPid, 0), { code: 'ESRCH' }, 'nothing of the refused process is left');
  assert.equal(received('initialize', 'auto'), 1, 'initialize was tried once');
});

test('held to 2025-11-25, a server that speaks only 2026-07-28 fails to start, naming the setting', async () => {
  const state = await h.waitForState('old', (s) => s.state === 'failed', GUARD_MS);
  assert.ok(state.state === 'failed' && state.reason === 'spawn-error', JSON.stringify(state));
  assert.match(state.message, /speaks only 2026-07-28 and its "protocol" is "2025-11-25"; set it to "auto"/);
});

test('a legacy client lists the tools namespaced and calls them, elicitation included', async () => {
  const client = await h.connect({ name: 'stdio-legacy' });
  const names = (await client.listTools()).tools.map((tool) => tool.name);
  for (const tool of ['echo', 'ask-name', 'count']) assert.ok(names.includes(`ms__${tool}`), names.join(', '));
  assert.equal(textOf(await client.callTool({ name: 'ms__echo', arguments: { text: 'over stdio' } })), 'over stdio');

  const asked: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    asked.push(request.params.message);
    return { action: 'accept', content: { name: 'Stdio' } };
  });
  const greeted = await client.callTool({ name: 'ms__ask-name', arguments: { tag: 'piped' } });
  assert.equal(textOf(greeted), 'hello Stdio (piped)');
  assert.deepEqual(asked, ['name for piped']);
});

test('per session, each session has a 2026-07-28 stdio instance of its own, and is asked on it', async () => {
  const ask = async (name: string) => {
    const client = await h.connect({ name });
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { name } }));
    return client.callTool({ name: 'iso__ask-name', arguments: { tag: name } });
  };
  const [carol, dave] = await Promise.all([ask('carol'), ask('dave')]);
  assert.equal(textOf(carol), 'hello carol (carol)');
  assert.equal(textOf(dave), 'hello dave (dave)');
  const pool = h.core.supervisor.get('iso')!.instances;
  assert.equal(pool.size, 2, 'one instance per session');
  assert.equal(new Set(pool.pids).size, 2, 'each a process of its own');
});

test('health checks are server/discover requests the server answers: it stays running, never sent ping', async () => {
  const before = received('server/discover');
  await waitUntil(() => received('server/discover') >= before + 3, 'three more health checks', GUARD_MS);
  assert.equal(received('ping'), 0);
  assert.equal(h.core.status().servers.find((s) => s.name === 'ms')?.state.state, 'running');
});

test('stopping the server leaves no process behind', async () => {
  const pid = h.core.status().servers.find((s) => s.name === 'ms')?.pid;
  assert.equal(typeof pid, 'number');
  process.kill(pid!, 0); // alive before the stop
  await h.core.supervisor.stop('ms');
  assert.throws(() => process.kill(pid!, 0), { code: 'ESRCH' });
  assert.throws(() => process.kill(-pid!, 0), { code: 'ESRCH' }, 'nor anything of its process group');
  assert.equal(h.core.status().servers.find((s) => s.name === 'ms')?.pid, null);
});
