// On-demand servers with the real reference servers (server-everything, server-memory): lists answered from the
// disk cache while both are stopped, one process for ten concurrent first calls, idle stops after the configured
// time and never while a call or a subscription holds the server, a failed start answered to every waiter with its
// reason and stderr, and no process left behind across starts and stops (descendants counted).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ConfigInput } from '../../../main/config/schema.ts';
import { writeConfig } from '../../../main/config/write-config.ts';
import { Core } from '../../../main/core/core.ts';
import { createLogger } from '../../../main/log/logger.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { isLiveState, listProcesses } from '../../../main/supervisor/proc-stat.ts';
import type { ServerState } from '../../../main/supervisor/server-state.ts';
import { NODE, binOf } from '../../helpers/gateway-harness.ts';

const IDLE_MS = 1_500;
const BROKEN_STDERR = 'broken: MISSING_API_KEY is not set';

let dataDir: string;
let work: string;
let core: Core | null = null;
let token: string;
let runs = 0;
const clients: Client[] = [];

function config(): ConfigInput {
  const onDemand = { start: 'on-demand', idleStopAfter: IDLE_MS, timeouts: { stopGraceMs: 500 } } as const;
  return {
    // Lists wait for servers coming up from idle long enough for a cold start on a busy machine.
    gateway: { listWaitMs: 20_000 },
    servers: {
      everything: {
        command: NODE,
        args: [binOf('@modelcontextprotocol/server-everything', 'dist/index.js'), 'stdio'],
        ...onDemand,
      },
      memory: {
        command: NODE,
        args: [binOf('@modelcontextprotocol/server-memory', 'dist/index.js')],
        env: { MEMORY_FILE_PATH: join(work, 'memory.jsonl') },
        ...onDemand,
      },
    },
  };
}

async function startCore(input: ConfigInput): Promise<Core> {
  await stopCore(); // A test that failed half-way leaves its core running.
  const written = await writeConfig(dataDirPaths(dataDir).config, input);
  assert.ok(written.ok, JSON.stringify(written));
  const started = await Core.start({ dataDir, port: 0, logger: createLogger({ level: 'warn', write: () => {} }) });
  if (!started.ok) throw new Error(started.error);
  const minted = await started.core.tokens.create(`on-demand-e2e-${++runs}`);
  if (!minted.ok) throw new Error(minted.error);
  token = minted.value.token;
  return started.core;
}

async function stopCore(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
  await core?.stop();
  core = null;
}

async function connect(): Promise<Client> {
  const client = new Client({ name: 'on-demand-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', core!.gatewayUrl), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

/** Live processes descended from this one (the servers, and the orphan watchdog's shell). */
function descendants(): number[] {
  const all = listProcesses().filter((p) => isLiveState(p.state));
  const children = new Map<number, number[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const found: number[] = [];
  const queue = [process.pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function state(name: string): ServerState {
  return core!.supervisor.get(name)!.state;
}

function spawns(name: string): number {
  return core!.supervisor.get(name)!.counters.spawns;
}

async function until<T>(check: () => T | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits for the server to be idle; returns how long after `since` that happened. */
async function idleAfter(name: string, since: number): Promise<number> {
  await until(() => state(name).state === 'idle' || false, `${name} to go idle`);
  return Date.now() - since;
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchboard-on-demand-'));
  work = await mkdtemp(join(tmpdir(), 'switchboard-on-demand-work-'));
});

after(async () => {
  await stopCore();

  await rm(dataDir, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

test('a first run with nothing cached: both idle, the first tools/list starts them, then they stop when idle', async () => {
  const baseline = descendants().length;
  core = await startCore(config());
  assert.equal(state('everything').state, 'idle');
  assert.equal(state('memory').state, 'idle');
  // The orphan watchdog's shell is the only new child: nothing was spawned for on-demand servers.
  assert.ok(descendants().length <= baseline + 1, 'no server process before first use');
  const client = await connect();
  const listed = await client.listTools();
  const names = listed.tools.map((t) => t.name);
  assert.ok(names.includes('everything__echo') && names.includes('memory__read_graph'), names.join(', '));
  assert.equal(spawns('everything'), 1);
  assert.equal(spawns('memory'), 1);
  // The idle time counts from the last use; listing is not a use, so from when the server came up.
  const up = state('everything');
  assert.equal(up.state, 'running');
  const since = up.state === 'running' ? up.since : 0;
  const waited = await idleAfter('everything', since);
  await idleAfter('memory', since);
  // The idle time counts from the last use, so it cannot be over before the configured time.
  assert.ok(waited >= IDLE_MS - 100, `stopped after ${waited} ms, before idleStopAfter (${IDLE_MS} ms)`);
  await until(() => descendants().length <= baseline + 1 || false, 'the servers’ processes to be gone');
  await stopCore();
  assert.ok(existsSync(join(dataDirPaths(dataDir).lists, 'everything.json')));
  assert.ok(existsSync(join(dataDirPaths(dataDir).lists, 'memory.json')));
  await until(() => descendants().length <= baseline || false, 'no process left after serve stopped');
});

test('tools/list answers from the cache with both stopped, and spawns nothing', async () => {
  const baseline = descendants().length;
  core = await startCore(config());
  const client = await connect();
  const started = performance.now();
  const listed = await client.listTools();
  const took = performance.now() - started;
  const names = listed.tools.map((t) => t.name);
  assert.ok(names.includes('everything__echo'), names.join(', '));
  assert.ok(names.includes('memory__create_entities'), names.join(', '));
  assert.equal(listed._meta?.['dev.switchboard/unavailable'], undefined);
  assert.equal(state('everything').state, 'idle');
  assert.equal(state('memory').state, 'idle');
  assert.equal(spawns('everything'), 0);
  assert.equal(spawns('memory'), 0);
  assert.ok(took < 5_000, `tools/list took ${took} ms`);
  const prompts = await client.listPrompts();
  assert.ok(prompts.prompts.some((p) => p.name.startsWith('everything__')));
  const resources = await client.listResources();
  assert.ok(resources.resources.length > 0);
  assert.equal(spawns('everything'), 0, 'listing prompts and resources started nothing');
  assert.ok(descendants().length <= baseline + 1);
});

test('ten concurrent first calls start exactly one process and all get their answer', async () => {
  const client = await connect();
  const answers = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      client.callTool({ name: 'everything__echo', arguments: { message: `call ${i}` } }),
    ),
  );
  for (const [i, answer] of answers.entries()) {
    assert.match(JSON.stringify(answer.content), new RegExp(`call ${i}`));
  }
  assert.equal(spawns('everything'), 1);
  assert.equal(state('everything').state, 'running');
  assert.equal(spawns('memory'), 0, 'the other server was not started');
  const status = core!.status().servers.find((s) => s.name === 'everything')!;
  assert.equal(status.start, 'on-demand');
  assert.ok(status.lastStartMs !== null && status.lastStartMs > 0);
  assert.equal(typeof status.slowStart, 'boolean');
});

test('a call in flight holds the server past idleStopAfter; it stops once the call is over', async () => {
  const client = await connect();
  await until(() => state('everything').state === 'idle' || false, 'everything to go idle first');
  const call = client.callTool(
    { name: 'everything__trigger-long-running-operation', arguments: { duration: 4, steps: 4 } },
    undefined,
    { timeout: 30_000 },
  );
  await until(() => state('everything').state === 'running' || false, 'everything to start for the call');
  const result = await call;
  assert.notEqual(result.isError, true);
  // The call took twice the idle time and more: had it not held the server, the server would have stopped.
  assert.equal(spawns('everything'), 2);
  const over = Date.now();
  const waited = await idleAfter('everything', over);
  assert.ok(waited >= IDLE_MS - 100, `stopped ${waited} ms after the call ended`);
});

test('a resource subscription holds the server; unsubscribing lets it stop', async () => {
  const client = await connect();
  const listed = await client.listResources();
  const uri = listed.resources[0]!.uri;
  await client.subscribeResource({ uri });
  assert.equal(state('everything').state, 'running', 'subscribing started the server');
  const spawned = spawns('everything');
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 2 + 500));
  assert.equal(state('everything').state, 'running', 'stopped while a subscription held it');
  assert.equal(spawns('everything'), spawned);
  await client.unsubscribeResource({ uri });
  await idleAfter('everything', Date.now());
});

test('a server that fails to start answers every waiting caller with its reason and stderr, never hangs', async () => {
  await stopCore();
  const input = config();
  const baseline = descendants().length;
  core = await startCore({
    ...input,
    servers: {
      ...input.servers,
      broken: {
        command: NODE,
        args: ['-e', `console.error(${JSON.stringify(BROKEN_STDERR)}); process.exit(3)`],
        start: 'on-demand',
        restart: { initialBackoffMs: 600_000, maxBackoffMs: 600_000 },
      },
    },
  });
  const client = await connect();
  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: 5 }, () => client.callTool({ name: 'broken__anything', arguments: {} })),
  );
  const took = performance.now() - started;
  for (const result of results) {
    assert.equal(result.status, 'rejected');
    const error = (result as PromiseRejectedResult).reason as McpError;
    assert.match(error.message, /exited with code 3/);
    assert.match(error.message, /MISSING_API_KEY is not set/);
  }
  assert.equal(spawns('broken'), 1, 'the waiting callers shared one start');
  assert.ok(took < 20_000, `answers took ${took} ms`);
  // The list names the failed server rather than leaving it out silently, and answers at once.
  const listed = await client.listTools();
  const unavailable = listed._meta?.['dev.switchboard/unavailable'] as { server: string }[] | undefined;
  assert.ok(
    unavailable?.some((u) => u.server === 'broken'),
    JSON.stringify(listed._meta),
  );
  await stopCore();
  await until(() => descendants().length <= baseline || false, 'no process left behind');
});
