// `switchboard bridge` driven by an SDK Client over stdio, as an IDE that only speaks stdio would: initialize, list
// and call for each legacy protocol version (T54), list_changed carried through, and an oversize call answered
// with a JSON-RPC error carrying its request id while the bridge keeps running (T51).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  NODE,
  REPO,
  gatewayFixtureServer,
  isRunning,
  startHarness,
  type Harness,
} from '../../helpers/gateway-harness.ts';
import { asMcpError, report, timed, waitUntil } from '../gateway/support.ts';
import { PinnedVersionTransport } from './pinned-version.ts';
import { BIN } from './serve-process.ts';

const MAX_BODY = 64 * 1024;

let h: Harness;

before(async () => {
  h = await startHarness({
    gateway: { maxBodyBytes: MAX_BODY },
    servers: { fx: gatewayFixtureServer('tools') },
  });
  await h.waitForState('fx', isRunning);
});
after(() => h.close());

interface Bridged {
  readonly client: Client;
  readonly transport: PinnedVersionTransport;
  readonly stderr: () => string;
  changes: number;
}

async function bridge(version: string): Promise<Bridged> {
  const stdio = new StdioClientTransport({
    command: NODE,
    args: [BIN, 'bridge', '--client', 'test-client', '--url', h.url],
    env: { ...(process.env as Record<string, string>), SWITCHBOARD_TOKEN: h.token },
    cwd: REPO,
    stderr: 'pipe',
  });
  let stderr = '';
  stdio.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const transport = new PinnedVersionTransport(stdio, version);
  const client = new Client({ name: `bridge-${version}`, version: '1.0.0' });
  const bridged: Bridged = { client, transport, stderr: () => stderr, changes: 0 };
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    bridged.changes += 1;
  });
  await client.connect(transport);
  return bridged;
}

for (const version of ['2025-11-25', '2025-06-18', '2025-03-26']) {
  describe(`T54 over the bridge, protocol ${version}`, () => {
    let b: Bridged;
    before(async () => {
      b = await bridge(version);
    });
    after(() => b.client.close());

    test('initialize echoes the version; list and call work', async () => {
      assert.equal(b.transport.negotiated, version);
      const { tools } = await b.client.listTools();
      assert.ok(tools.some((tool) => tool.name === 'fx__echo'));
      const result = await b.client.callTool({ name: 'fx__echo', arguments: { text: `over ${version}` } });
      assert.deepEqual(result.content, [{ type: 'text', text: `over ${version}` }]);
    });

    test('list_changed comes through the bridge', async (t) => {
      let probe = 0;
      const started = performance.now();
      // The gateway's GET stream opens right after initialize; changing a tool until a notice arrives proves it.
      await waitUntil(
        async () => {
          const seen = b.changes;
          probe += 1;
          await b.client.callTool({ name: 'fx__add-tool', arguments: { text: `bridge-${version}-${probe}` } });
          await sleep(150);
          return b.changes > seen;
        },
        'list_changed through the bridge',
        15_000,
      );
      report(t, 'first list_changed through the bridge', performance.now() - started);
      const { tools } = await b.client.listTools();
      assert.ok(tools.some((tool) => tool.name === `fx__bridge-${version}-${probe}`));
    });
  });
}

test('T51: an oversize call through the bridge gets a JSON-RPC error with its id, and the bridge keeps running', async (t) => {
  const b = await bridge('2025-11-25');
  try {
    const big = 'x'.repeat(MAX_BODY + 1_024);
    const outcome = await timed(() => b.client.callTool({ name: 'fx__echo', arguments: { text: big } }));
    report(t, 'oversize call answered after', outcome.ms);
    const error = asMcpError(outcome.error);
    report(t, 'error', `${error.code} ${error.message}`);
    // The SDK Client matches answers by id: an error without the call's id would leave it waiting until its own
    // timeout, which fails with -32001 (RequestTimeout), not the gateway's -32002.
    assert.equal(error.code, -32002);
    assert.match(error.message, new RegExp(`${MAX_BODY} bytes`));
    assert.match(error.message, /maxBodyBytes/);

    const after = await b.client.callTool({ name: 'fx__echo', arguments: { text: 'still bridging' } });
    assert.deepEqual(after.content, [{ type: 'text', text: 'still bridging' }]);
    const near = 'y'.repeat(MAX_BODY - 1_024);
    const fits = await b.client.callTool({ name: 'fx__echo', arguments: { text: near } });
    assert.equal((fits.content as { text: string }[])[0]!.text.length, near.length);
  } finally {
    const closing = performance.now();
    await b.client.close();
    report(t, 'client.close() (stdin closed, bridge exits)', performance.now() - closing);
  }
  assert.doesNotMatch(b.stderr(), /TypeError|ReferenceError|unhandled/i);
});

test('the bridge answers requests already sent when stdin ends, then ends its session and exits 0', async (t) => {
  const sessionsBefore = h.core.status().sessions;
  const child = spawn(NODE, [BIN, 'bridge', '--client', 'test-client', '--url', h.url], {
    cwd: REPO,
    env: { ...process.env, SWITCHBOARD_TOKEN: h.token },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = performance.now();
  const lines = [
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } },
    },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'fx__sleep', arguments: { ms: 500 } } },
  ];
  // initialize must be answered before the session exists; the rest follows once it is.
  child.stdin.write(JSON.stringify(lines[0]) + '\n');
  await waitUntil(() => out.includes('"id":1'), 'the initialize answer');
  child.stdin.end(JSON.stringify(lines[1]) + '\n' + JSON.stringify(lines[2]) + '\n');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await exited;
  clearTimeout(timer);
  report(t, 'bridge exited after stdin ended', performance.now() - started);
  assert.equal(code, 0);
  const answers = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id?: number; result?: unknown });
  assert.deepEqual(
    answers.map((a) => a.id),
    [1, 2],
  );
  assert.match(JSON.stringify(answers[1]!.result), /slept 500 ms/);
  await waitUntil(() => h.core.status().sessions <= sessionsBefore, 'the bridge session to be ended');
});
