// Per-server isolation (gateway notes 1 and 2): on a `per-session` server every client session gets an upstream
// process of its own, so what one session stores the others never see, and what that process asks (sampling,
// elicitation) or logs reaches its owner alone; on a `shared` server the sessions share one process and its state.
// Instances start on first use (listing spawns nothing), stop when their session ends and on shutdown, and are
// capped per server. `per-client` instances are shared by the sessions of one client token.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { GatewayErrorCode } from '../../../main/gateway/http/http-reply.ts';
import { isGroupAlive } from '../../../main/supervisor/process-tree.ts';
import {
  NODE,
  REPO,
  isRunning,
  startHarness,
  type Harness,
  type StdioServerInput,
} from '../../helpers/gateway-harness.ts';
import { processesWithEnv } from '../cli/serve-process.ts';
import { modernBody, modernPost, resultOf } from '../modern/modern-http.ts';
import { targetOf } from '../security/mcp-session.ts';
import type { Target } from '../security/raw-http.ts';
import { everythingServer } from '../transparency/support.ts';
import { asMcpError, runCliInProcess, waitUntil } from './support.ts';

const STATEFUL = join(REPO, 'test/fixtures/stateful-server.ts');
const MARKER = 'SWITCHBOARD_ISOLATION_TEST';

function stateful(extra: Partial<StdioServerInput> = {}): StdioServerInput {
  return { command: NODE, args: [STATEFUL], ...extra };
}

let h: Harness;
/** Marks every process of the isolated `solo` server, so the test can count them in /proc. */
const soloMarker = randomUUID();

before(async () => {
  h = await startHarness({
    servers: {
      shared: stateful(),
      solo: stateful({ isolation: 'per-session', env: { [MARKER]: soloMarker } }),
      capped: stateful({ isolation: 'per-session', instances: { max: 2 } }),
      mine: stateful({ isolation: 'per-client', instances: { idleMs: 1_000 } }),
      // A request routed to the wrong place leaves a test waiting on its barrier until callMs cuts the call.
      everything: everythingServer({ isolation: 'per-session', timeouts: { callMs: 15_000 } }),
    },
  });
  await Promise.all(h.core.supervisor.list().map((s) => h.waitForState(s.name, isRunning)));
});
after(() => h.close());

function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  return content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  return textOf(await client.callTool({ name, arguments: args }));
}

async function end(client: Client): Promise<void> {
  await (client.transport as StreamableHTTPClientTransport).terminateSession();
  await client.close();
}

function instancesOf(server: string): number {
  return h.core.status().servers.find((s) => s.name === server)!.instances;
}

/** Resolves once `count` callers have arrived: proves they were all waiting at the same time. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    arrived += 1;
    if (arrived === count) open();
    return opened;
  };
}

test('three concurrent sessions: each keeps its own state on a per-session server, and shares it on a shared one', async () => {
  const sessions = await Promise.all([1, 2, 3].map((i) => h.connect({ name: `s${i}` })));
  // Listing reads the shared instance's catalog: nobody has an instance yet.
  const listed = await sessions[0]!.listTools();
  assert.ok(listed.tools.some((t) => t.name === 'solo__remember'));
  assert.equal(instancesOf('solo'), 0, 'listing started instances');

  const tags = sessions.map((_, i) => `note-${i}-${randomUUID().slice(0, 8)}`);
  await Promise.all(
    sessions.map(async (client, i) => {
      await call(client, 'solo__remember', { text: tags[i] });
      await call(client, 'shared__remember', { text: tags[i] });
    }),
  );
  for (const [i, client] of sessions.entries()) {
    assert.deepEqual(JSON.parse(await call(client, 'solo__recall')), [tags[i]], `session ${i} on solo`);
    assert.deepEqual(
      JSON.parse(await call(client, 'shared__recall')).sort(),
      [...tags].sort(),
      `session ${i} on shared`,
    );
    // A resource read and a prompt go to the session's own instance as well.
    const read = await client.readResource({ uri: 'switchboard+solo+memo://notes' });
    assert.deepEqual(read.contents, [{ uri: 'switchboard+solo+memo://notes', mimeType: 'text/plain', text: tags[i] }]);
    const prompt = await client.getPrompt({ name: 'solo__recall' });
    assert.deepEqual(prompt.messages[0]!.content, { type: 'text', text: `notes: ${JSON.stringify([tags[i]])}` });
  }

  const soloPids = await Promise.all(sessions.map((client) => call(client, 'solo__whoami')));
  const sharedPids = await Promise.all(sessions.map((client) => call(client, 'shared__whoami')));
  assert.equal(new Set(soloPids).size, 3, `solo pids ${soloPids.join(', ')}`);
  assert.ok(!soloPids.includes(String(h.core.supervisor.get('solo')!.pid)), 'a session used the shared instance');
  assert.deepEqual(new Set(sharedPids), new Set([String(h.core.supervisor.get('shared')!.pid)]));

  const status = Object.fromEntries(h.core.status().servers.map((s) => [s.name, s]));
  assert.deepEqual([status.solo!.isolation, status.solo!.instances], ['per-session', 3]);
  assert.deepEqual([status.shared!.isolation, status.shared!.instances], ['shared', 0]);
  // What the CLI (and later the UI) shows: which servers are shared, and how many instances the others run.
  const cliList = await runCliInProcess(['--data-dir', h.dataDir, 'server', 'list', '--json']);
  const rows = JSON.parse(cliList.out) as { name: string; isolation: string; instances: number }[];
  assert.deepEqual(
    rows.filter((r) => r.name === 'solo' || r.name === 'shared').map((r) => [r.name, r.isolation, r.instances]),
    [
      ['shared', 'shared', 0],
      ['solo', 'per-session', 3],
    ],
  );
  const text = await runCliInProcess(['--data-dir', h.dataDir, 'status']);
  assert.match(text.out, /solo\s+running \(pid \d+\).*, per-session: 3 instance\(s\)/);
  await Promise.all(sessions.map(end));
});

test('sampling and elicitation raised on an isolated instance reach only its owner, all three at once', async () => {
  const sessions = await Promise.all([1, 2, 3].map((i) => h.connect({ name: `asker${i}` })));
  const tags = sessions.map((_, i) => `tag-${i}-${randomUUID().slice(0, 8)}`);
  const sampled: string[][] = sessions.map(() => []);
  const elicited: number[] = sessions.map(() => 0);
  const allSampling = barrier(3);
  const allEliciting = barrier(3);
  for (const [i, client] of sessions.entries()) {
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      sampled[i]!.push(JSON.stringify(request.params.messages));
      // Answered only once all three sessions are being asked: the three requests were pending together.
      await allSampling();
      return { role: 'assistant', content: { type: 'text', text: `answer from ${tags[i]}` }, model: 'test-model' };
    });
    client.setRequestHandler(ElicitRequestSchema, async () => {
      elicited[i]! += 1;
      await allEliciting();
      return { action: 'accept', content: { name: tags[i]! } };
    });
  }
  const samples = await Promise.all(
    sessions.map((client, i) =>
      call(client, 'everything__trigger-sampling-request', { prompt: tags[i], maxTokens: 5 }),
    ),
  );
  const elicitations = await Promise.all(
    sessions.map((client) => call(client, 'everything__trigger-elicitation-request')),
  );
  for (const i of [0, 1, 2]) {
    assert.equal(sampled[i]!.length, 1, `session ${i} was asked ${sampled[i]!.length} times`);
    assert.match(sampled[i]![0]!, new RegExp(tags[i]!), `session ${i} was asked about another's prompt`);
    assert.match(samples[i]!, new RegExp(`answer from ${tags[i]}`));
    assert.equal(elicited[i], 1);
    assert.match(elicitations[i]!, new RegExp(tags[i]!));
    for (const other of tags.filter((_, j) => j !== i)) {
      assert.doesNotMatch(samples[i]! + elicitations[i]!, new RegExp(other));
    }
  }
  await Promise.all(sessions.map(end));
});

test('an instance’s log messages reach only its owner', async () => {
  const sessions = await Promise.all([1, 2, 3].map((i) => h.connect({ name: `logger${i}` })));
  const logged: string[][] = sessions.map(() => []);
  for (const [i, client] of sessions.entries()) {
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logged[i]!.push(String(n.params.data)));
  }
  const tags = sessions.map((_, i) => `log-${i}-${randomUUID().slice(0, 8)}`);
  // A message logged during a call reaches its session on that call's stream, ahead of the result: once every
  // call has returned, every message has arrived wherever it was sent.
  await Promise.all(sessions.map((client, i) => call(client, 'solo__remember', { text: tags[i] })));
  for (const i of [0, 1, 2]) assert.deepEqual(logged[i], [`remembered ${tags[i]}`], `session ${i}`);
  await Promise.all(sessions.map(end));
});

test('an instance stops, its process gone, when its session is deleted', async () => {
  const [a, b] = await Promise.all([h.connect({ name: 'a' }), h.connect({ name: 'b' })]);
  const [pidA, pidB] = (await Promise.all([a, b].map((c) => call(c, 'solo__whoami')))).map(Number);
  assert.ok(isGroupAlive(pidA!) && isGroupAlive(pidB!));
  assert.ok(processesWithEnv(MARKER, soloMarker).includes(pidA!));
  await end(a);
  // DELETE answers before the process is gone (stopping takes the grace periods); it must go without any request.
  assert.equal(instancesOf('solo'), 1, 'the deleted session’s instance is still counted');
  await waitUntil(() => !isGroupAlive(pidA!) || undefined, 'the deleted session’s instance to be gone', 15_000);
  assert.ok(!processesWithEnv(MARKER, soloMarker).includes(pidA!));
  assert.ok(isGroupAlive(pidB!), 'the other session’s instance was stopped too');
  assert.equal(await call(b, 'solo__whoami'), String(pidB));
  await end(b);
});

test('an instance that dies fails its call with its own exit, and the session’s next call gets a new one', async () => {
  const [a, b] = await Promise.all([h.connect({ name: 'a' }), h.connect({ name: 'b' })]);
  await call(a, 'solo__remember', { text: 'before the crash' });
  const [pidA, pidB] = await Promise.all([a, b].map((c) => call(c, 'solo__whoami')));
  const failed = await a.callTool({ name: 'solo__exit', arguments: { code: 3 } }).then(
    () => null,
    (error: unknown) => asMcpError(error),
  );
  assert.ok(failed !== null, 'the call survived its process');
  assert.equal(failed.code, GatewayErrorCode.ServerUnavailable);
  assert.match(failed.message, /server "solo", tool "exit": the caller's own instance of the server went away/);
  assert.match(failed.message, /exited with code 3/);
  assert.match(failed.message, /exiting with 3/, 'the instance’s own stderr is quoted');
  const again = await call(a, 'solo__whoami');
  assert.notEqual(again, pidA);
  assert.deepEqual(JSON.parse(await call(a, 'solo__recall')), [], 'the new instance is a new process, state and all');
  assert.equal(await call(b, 'solo__whoami'), pidB, 'another session’s instance was touched');
  assert.equal(h.core.supervisor.get('solo')!.state.state, 'running', 'the shared instance was touched');
  await Promise.all([a, b].map(end));
});

test('past instances.max a new session is refused with the limit named; a session that ends frees its place', async () => {
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => h.connect({ name })));
  await call(a!, 'capped__whoami');
  await call(b!, 'capped__whoami');
  const refused = await c!.callTool({ name: 'capped__whoami', arguments: {} }).then(
    () => null,
    (error: unknown) => asMcpError(error),
  );
  assert.ok(refused !== null, 'the third session got an instance past the limit of 2');
  assert.equal(refused.code, GatewayErrorCode.Refused);
  assert.match(refused.message, /server "capped" cannot start an instance for this session: it already runs 2/);
  assert.match(refused.message, /servers\.capped\.instances\.max/);
  assert.deepEqual(refused.data, { limit: 'instances.max', max: 2 });
  assert.equal(instancesOf('capped'), 2);
  // The ended session's instance may still be stopping; the next start waits for its place rather than fail.
  await end(a!);
  assert.match(await call(c!, 'capped__whoami'), /^\d+$/);
  await Promise.all([b!, c!].map(end));
});

test('per-client: sessions of one client share an instance, another client has its own, stopped once idle', async () => {
  const other = await h.mintToken('other-client');
  const [first, second, third] = await Promise.all([
    h.connect({ name: 'first' }),
    h.connect({ name: 'second' }),
    h.connect({ name: 'third', token: other }),
  ]);
  const tag = `shared-by-client-${randomUUID().slice(0, 8)}`;
  await call(first, 'mine__remember', { text: tag });
  assert.deepEqual(JSON.parse(await call(second, 'mine__recall')), [tag]);
  assert.deepEqual(JSON.parse(await call(third, 'mine__recall')), []);
  const pids = await Promise.all([first, second, third].map((c) => call(c, 'mine__whoami')));
  assert.equal(pids[0], pids[1]);
  assert.notEqual(pids[0], pids[2]);
  // Ending a session does not end its client's instance; going unused for idleMs does.
  await end(first);
  assert.deepEqual(JSON.parse(await call(second, 'mine__recall')), [tag]);
  await Promise.all([second, third].map(end));
  await waitUntil(() => instancesOf('mine') === 0 || undefined, 'the idle instances to stop', 15_000);
  await waitUntil(() => pids.every((pid) => !isGroupAlive(Number(pid))) || undefined, 'their processes gone', 15_000);
});

test('2026-07-28 requests have no session: on a per-session server each client gets one instance of its own', async () => {
  const mine = targetOf(h);
  const theirs = targetOf(h, await h.mintToken('modern-other'));
  const modern = async (target: Target, name: string, args: Record<string, unknown> = {}, path = '/mcp') =>
    textOf(resultOf(await modernPost(target, modernBody('tools/call', { name, arguments: args }), { path })));
  const tag = `modern-${randomUUID().slice(0, 8)}`;
  await modern(mine, 'solo__remember', { text: tag });
  // A later request of the same client finds what the first stored, also on another endpoint (where the gateway
  // serves it with another session server of its own).
  assert.deepEqual(JSON.parse(await modern(mine, 'solo__recall')), [tag]);
  assert.deepEqual(JSON.parse(await modern(mine, 'recall', {}, '/mcp/solo')), [tag]);
  assert.deepEqual(JSON.parse(await modern(theirs, 'solo__recall')), []);
  const pids = await Promise.all([mine, theirs].map((target) => modern(target, 'solo__whoami')));
  assert.notEqual(pids[0], pids[1]);
  // A legacy session of the same client has a session, and so an instance of its own.
  const legacy = await h.connect({ name: 'legacy' });
  assert.deepEqual(JSON.parse(await call(legacy, 'solo__recall')), []);
  await end(legacy);
});

test('shutdown stops every instance: no process of an isolated server is left', async () => {
  const marker = randomUUID();
  const own = await startHarness({
    servers: { solo: stateful({ isolation: 'per-session', env: { [MARKER]: marker } }) },
  });
  let closed = false;
  try {
    await own.waitForState('solo', isRunning);
    const clients = await Promise.all([1, 2, 3].map((i) => own.connect({ name: `c${i}` })));
    const pids = (await Promise.all(clients.map((c) => call(c, 'solo__whoami')))).map(Number);
    assert.equal(new Set(pids).size, 3);
    // The shared instance and the three of the sessions.
    assert.equal(processesWithEnv(MARKER, marker).length, 4);
    await own.close();
    closed = true;
    assert.deepEqual(processesWithEnv(MARKER, marker), [], 'processes outlived the gateway’s shutdown');
    for (const pid of pids) assert.ok(!isGroupAlive(pid));
  } finally {
    if (!closed) await own.close();
  }
});
