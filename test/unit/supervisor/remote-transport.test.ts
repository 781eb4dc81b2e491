import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ManagedServer } from '../../../main/supervisor/managed-server.ts';
import { isLegacyServerError, isModernOnlyRefusal } from '../../../main/supervisor/remote-transport.ts';
import { captureLogger, HTTP_FIXTURE, remoteConfig, stateIs, tempDirs, waitForState } from './helpers.ts';

const dirs = tempDirs();
const fixtures: ChildProcess[] = [];
const servers: ManagedServer[] = [];
const ports: Record<string, number> = {};

const MODERN_FIXTURE = fileURLToPath(new URL('../../fixtures/modern-upstream.ts', import.meta.url));

async function startFixture(mode: string): Promise<number> {
  const args = mode === 'modern' ? [MODERN_FIXTURE] : [HTTP_FIXTURE, mode];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  fixtures.push(child);
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    once(child, 'exit').then(() => {
      throw new Error(`the ${mode} fixture exited before listening`);
    }),
  ])) as [string];
  return (JSON.parse(line) as { port: number }).port;
}

before(async () => {
  ports['streamable'] = await startFixture('streamable');
  ports['sse'] = await startFixture('sse');
  ports['modern'] = await startFixture('modern');
});

after(async () => {
  await Promise.allSettled(servers.map((s) => s.dispose()));
  for (const child of fixtures) child.kill('SIGKILL');
  dirs.cleanup();
});

function remote(
  name: string,
  input: Record<string, unknown>,
): { server: ManagedServer; log: ReturnType<typeof captureLogger> } {
  const log = captureLogger();
  const server = new ManagedServer({
    name,
    config: remoteConfig(input),
    logDir: dirs.logDir,
    runDir: dirs.runDir,
    logger: log.logger,
  });
  servers.push(server);
  return { server, log };
}

async function echoes(server: ManagedServer): Promise<void> {
  const result = await server.client!.callTool({ name: 'echo', arguments: { text: `via ${server.name}` } });
  assert.deepEqual(result.content, [{ type: 'text', text: `via ${server.name}` }]);
}

test('a Streamable HTTP server is connected directly, with the configured headers', async () => {
  const { server, log } = remote('streamable', {
    url: `http://127.0.0.1:${ports['streamable']}/mcp`,
    headers: { 'X-Switchboard-Test': 'from-config' },
  });
  await server.start();
  await waitForState(server, stateIs('running'));
  await echoes(server);
  const header = await server.client!.callTool({ name: 'header', arguments: {} });
  assert.deepEqual(header.content, [{ type: 'text', text: 'from-config' }]);
  assert.equal(server.pid, null);
  assert.ok(!log.messages().some((m) => m.includes('legacy SSE')));
  await server.stop();
});

test('a server that speaks only 2026-07-28 is found by its refusal of initialize and spoken to in that era', async () => {
  const { server, log } = remote('modern', { url: `http://127.0.0.1:${ports['modern']}/mcp` });
  await server.start();
  await waitForState(server, stateIs('running'));
  assert.equal(server.era, 'modern');
  await echoes(server);
  assert.ok(log.messages().includes('server speaks only 2026-07-28; connecting in that era'));
  assert.ok(!log.messages().some((m) => m.includes('legacy SSE')), 'the refusal is not taken for an SSE-only server');
  await server.stop();
  assert.equal(server.era, null);
});

test('only a 400 with -32022 naming 2026-07-28 says a server speaks only 2026-07-28', () => {
  const refusal = (status: number, body: object): StreamableHTTPError =>
    new StreamableHTTPError(status, `Error POSTing to endpoint: ${JSON.stringify(body)}`);
  const error = (code: number, supported: string[]) => ({ jsonrpc: '2.0', error: { code, data: { supported } } });
  assert.equal(isModernOnlyRefusal(refusal(400, error(-32022, ['2026-07-28']))), true);
  assert.equal(isModernOnlyRefusal(refusal(400, error(-32022, ['2025-06-18']))), false);
  assert.equal(isModernOnlyRefusal(refusal(400, error(-32600, ['2026-07-28']))), false);
  assert.equal(isModernOnlyRefusal(refusal(404, error(-32022, ['2026-07-28']))), false);
  assert.equal(isModernOnlyRefusal(new Error('-32022 "2026-07-28"')), false);
  assert.equal(isLegacyServerError(refusal(400, error(-32022, ['2026-07-28']))), false);
  assert.equal(isLegacyServerError(refusal(405, {})), true);
});

test('a server that speaks only legacy SSE is reached by falling back from Streamable HTTP', async () => {
  const { server, log } = remote('legacy', { url: `http://127.0.0.1:${ports['sse']}/sse` });
  await server.start();
  await waitForState(server, stateIs('running'));
  await echoes(server);
  const fallback = log.entries.find((e) => e['msg'] === 'server does not speak Streamable HTTP; trying legacy SSE');
  assert.equal(fallback?.['status'], 405);
  await server.stop();
});

test('transport "sse" goes straight to SSE', async () => {
  const { server, log } = remote('sse-only', { url: `http://127.0.0.1:${ports['sse']}/sse`, transport: 'sse' });
  await server.start();
  await waitForState(server, stateIs('running'));
  await echoes(server);
  assert.ok(!log.messages().some((m) => m.includes('legacy SSE')));
  await server.stop();
});

test('an unreachable remote server goes to backoff with the connection error as its last error', async () => {
  const { server } = remote('unreachable', {
    url: 'http://127.0.0.1:9/mcp',
    restart: { initialBackoffMs: 10_000 },
  });
  await server.start();
  const backoff = await waitForState(server, stateIs('backoff'));
  assert.ok(backoff.state === 'backoff');
  assert.match(backoff.lastExit.reason, /^failed to connect to http:\/\/127\.0\.0\.1:9\/mcp: /);
  assert.match(server.unavailableError(), /is restarting after it failed to connect .* Last error: /);
  await server.stop();
});

test('T69 a remote server at a metadata address is refused without a connection and not retried', async () => {
  for (const url of [
    'http://169.254.169.254/mcp',
    'http://[::ffff:169.254.169.254]/mcp',
    'http://[fd00:ec2::254]/mcp',
  ]) {
    const { server } = remote(`meta-${servers.length}`, { url, transport: 'sse' });
    await server.start();
    const failed = await waitForState(server, stateIs('failed'));
    assert.ok(failed.state === 'failed' && failed.reason === 'spawn-error', JSON.stringify(failed));
    assert.match(failed.message, /link-local or cloud-metadata address; set "allowLinkLocal": true/);
    assert.equal(server.counters.crashes, 0, 'refused by rule, so never counted as a crash to retry');
    await server.stop();
  }
});
