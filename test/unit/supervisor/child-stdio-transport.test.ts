import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { after, test } from 'node:test';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ChildStdioTransport } from '../../../main/supervisor/child-stdio-transport.ts';
import { LogSink } from '../../../main/supervisor/log-sink.ts';
import { spawnTree } from '../../../main/supervisor/process-tree.ts';
import { buildChildEnv, currentSpawnEnvInputs } from '../../../main/supervisor/spawn-env.ts';
import { Supervisor } from '../../../main/supervisor/supervisor.ts';
import { captureLogger, fixtureConfig, managedServers, stateIs, tempDirs, waitForState } from './helpers.ts';

const dirs = tempDirs();
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.allSettled(cleanups.map((c) => c()));
  dirs.cleanup();
});

const managed = managedServers(dirs, (server) => cleanups.push(() => server.dispose()));

/** A ChildStdioTransport over a process spawned the way the supervisor spawns servers. */
async function directTransport(
  name: string,
  command: string,
  args: string[],
  graceMs = 200,
): Promise<{
  tree: Awaited<ReturnType<typeof spawnTree>>;
  transport: ChildStdioTransport;
  log: ReturnType<typeof captureLogger>;
}> {
  const log = captureLogger();
  const tree = await spawnTree({
    command,
    args,
    env: buildChildEnv({}, currentSpawnEnvInputs()),
    cwd: dirs.root,
    graceMs,
    logger: log.logger,
  });
  const transport = new ChildStdioTransport({
    tree,
    stderrSink: new LogSink({ dir: dirs.logDir, name }),
    logger: log.logger,
  });
  return { tree, transport, log };
}

test('lines that are not JSON-RPC are counted, logged cut to 200 bytes and never forwarded', async () => {
  const script = [
    `console.log('x'.repeat(1000));`,
    `console.log(JSON.stringify({ hello: 'json but not JSON-RPC' }));`,
    `console.log(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'hi' } }));`,
  ].join('');
  const { transport, log } = await directTransport('direct', process.execPath, ['-e', script]);
  const received: JSONRPCMessage[] = [];
  transport.onmessage = (message) => void received.push(message);
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await transport.start();
  await closed;
  assert.deepEqual(received, [
    { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'hi' } },
  ]);
  assert.equal(transport.protocolErrors, 2);
  const warnings = log.entries.filter((e) => e['msg'] === 'ignored a line on stdout that is not JSON-RPC');
  assert.equal(warnings.length, 2);
  assert.equal(warnings[0]!['line'], 'x'.repeat(200) + '…');
  assert.equal(warnings[0]!['bytes'], 1000);
  assert.equal(warnings[1]!['why'], 'not a JSON-RPC message');
  await assert.rejects(transport.send({ jsonrpc: '2.0', method: 'ping', id: 1 }), /not running/);
});

test('writing to a server that closed its stdin fails the send (EPIPE) without crashing', async () => {
  const { tree, transport } = await directTransport('epipe', '/bin/sh', ['-c', 'exec 0<&-; sleep 2'], 100);
  await transport.start();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const big = { jsonrpc: '2.0' as const, method: 'notifications/message', params: { data: 'z'.repeat(256 * 1024) } };
  await assert.rejects(transport.send(big), /could not write to the server's stdin: .*EPIPE/);
  await transport.close();
  assert.equal(tree.hasExited, true);
});

test('T38 a banner line before valid JSON-RPC: initialize succeeds and the protocol-error counter reads 1', async () => {
  const log = captureLogger();
  const server = managed('banner', fixtureConfig('banner'), { logger: log.logger });
  await server.start();
  await waitForState(server, stateIs('running'));
  const { tools } = await server.client!.listTools();
  assert.ok(tools.some((t) => t.name === 'echo'));
  assert.equal(server.counters.protocolErrors, 1);
  const warning = log.entries.find((e) => e['msg'] === 'ignored a line on stdout that is not JSON-RPC');
  assert.equal(warning?.['line'], 'Fixture server v1.0 starting on stdio (press Ctrl+C to quit)');
  await server.stop();
});

test('T38 only junk on stdout: the error says stdout is not JSON-RPC and quotes the first line; others are unaffected', async () => {
  const supervisor = new Supervisor({ logDir: dirs.logDir, runDir: dirs.runDir, logger: captureLogger().logger });
  cleanups.push(() => supervisor.shutdown());
  await supervisor.apply({
    junk: fixtureConfig('junk', { restart: { mode: 'never' }, timeouts: { startupMs: 1_500 } }),
    'junk-exit': fixtureConfig('junk-exit', { restart: { mode: 'never' } }),
    echo: fixtureConfig('echo'),
  });
  const junk = await waitForState(supervisor.get('junk')!, stateIs('failed'));
  assert.ok(junk.state === 'failed');
  assert.equal(
    junk.lastExit?.reason,
    'failed to start: stdout is not JSON-RPC; its first line was "Listening on http://localhost:3000"',
  );
  assert.match(
    supervisor.get('junk')!.unavailableError(),
    /stdout is not JSON-RPC; its first line was "Listening on http:\/\/localhost:3000"/,
  );
  assert.ok(supervisor.get('junk')!.counters.protocolErrors >= 1);

  const junkExit = await waitForState(supervisor.get('junk-exit')!, stateIs('failed'));
  assert.ok(junkExit.state === 'failed');
  assert.equal(junkExit.lastExit?.code, 1);
  assert.match(
    junkExit.lastExit?.reason ?? '',
    /stdout is not JSON-RPC; its first line was "Usage: fixture \[options\]"/,
  );

  const echo = supervisor.get('echo')!;
  await waitForState(echo, stateIs('running'));
  const result = await echo.client!.callTool({ name: 'echo', arguments: { text: 'still here' } });
  assert.deepEqual(result.content, [{ type: 'text', text: 'still here' }]);
  assert.equal(echo.counters.protocolErrors, 0);
  await supervisor.shutdown();
});

test('T39 200 MB of stderr: the log rotates at the configured size, memory stays flat, calls keep working', async () => {
  const maxBytes = 8 * 1024 * 1024;
  const server = managed('flood', fixtureConfig('stderr-flood', {}, ['200']), { log: { maxBytes, keep: 3 } });
  const starting = server.start();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    await starting;
    await waitForState(server, stateIs('running'));
    let calls = 0;
    while (!server.stderrTail(1).includes('flood done')) {
      assert.equal(server.state.state, 'running');
      const result = await server.client!.callTool({ name: 'echo', arguments: { text: `call ${calls}` } });
      assert.deepEqual(result.content, [{ type: 'text', text: `call ${calls}` }]);
      calls++;
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.ok(calls >= 2, `only ${calls} calls were made during the flood`);
    assert.ok(server.logRotations >= 20, `rotated ${server.logRotations} times`);
    for (const n of [1, 2, 3]) assert.ok(statSync(`${server.logPath}.${n}`).size <= maxBytes + 64 * 1024);
    assert.equal(existsSync(`${server.logPath}.4`), false);
    const growthMb = (peak - baseline) / (1024 * 1024);
    assert.ok(growthMb < 50, `RSS grew by ${growthMb.toFixed(1)} MB`);
    assert.equal(server.stderrTail().length, 200);
    assert.ok(server.stderrTail().every((line) => line.length <= 2_048 + 8));
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
});

test('progress written in the same chunk as its result reaches the SDK client before the result', async () => {
  const { deliverNotificationsFirst } = await import('../../../main/supervisor/notifications-first.ts');
  // Answers initialize, then answers a tools/call with 20 progress notifications and the result in ONE write,
  // so they arrive in one read.
  const script = `
    const rl = require('node:readline').createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      const m = JSON.parse(line);
      if (m.method === 'initialize') {
        process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'burst', version: '1' } } }) + '\\n');
      } else if (m.method === 'tools/call') {
        const token = m.params._meta.progressToken;
        let out = '';
        for (let i = 1; i <= 20; i++) out += JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress: i, total: 20 } }) + '\\n';
        out += JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { content: [] } }) + '\\n';
        process.stdout.write(out);
      }
    });`;
  const { transport } = await directTransport('burst', process.execPath, ['-e', script]);
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const client = new Client({ name: 'order-test', version: '1' });
  deliverNotificationsFirst(transport);
  cleanups.push(() => client.close());
  await client.connect(transport);
  for (let round = 0; round < 5; round++) {
    const seen: number[] = [];
    await client.callTool({ name: 'burst', arguments: {} }, undefined, {
      onprogress: (p) => void seen.push(p.progress),
    });
    assert.deepEqual(
      seen,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  }
});
