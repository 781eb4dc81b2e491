// tools/call through the gateway: per-call and total timeouts (T75), progress, cancellation, upstream errors,
// calls to a server that is down (T37), a crash in the middle of a call, and a server's own requests to the caller.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateMessageRequestSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { GatewayErrorCode } from '../../../main/gateway/http/http-reply.ts';
import { deliverNotificationsFirst } from '../../../main/supervisor/notifications-first.ts';
import {
  NODE,
  binOf,
  fixtureServer,
  gatewayFixtureServer,
  isRunning,
  startHarness,
  type Harness,
} from '../../helpers/gateway-harness.ts';
import { asMcpError, report, timed, waitUntil } from './support.ts';

const CALL_MS = 1_500;
const TOTAL_MS = 4_000;
/** As long as the schema allows, so a call that waited for a server in backoff would run into CALLER_TIMEOUT. */
const LIST_WAIT_MS = 60_000;
/** The caller's own request timeout where a test needs one shorter than LIST_WAIT_MS; far past any real answer. */
const CALLER_TIMEOUT = { timeout: 30_000 };

let h: Harness;
let client: Client;

before(async () => {
  h = await startHarness({
    gateway: { listWaitMs: LIST_WAIT_MS },
    servers: {
      fx: gatewayFixtureServer('tools', { timeouts: { callMs: CALL_MS, callMaxTotalMs: TOTAL_MS } }),
      dies: gatewayFixtureServer('tools', { restart: { initialBackoffMs: 300, maxBackoffMs: 1_000 } }),
      everything: { command: NODE, args: [binOf('@modelcontextprotocol/server-everything', 'dist/index.js'), 'stdio'] },
      crashy: fixtureServer('crash-on-start', { restart: { initialBackoffMs: 60_000, maxBackoffMs: 120_000 } }),
    },
  });
  await Promise.all([
    h.waitForState('fx', isRunning),
    h.waitForState('dies', isRunning),
    h.waitForState('everything', isRunning),
    h.waitForState('crashy', (s) => s.state === 'backoff'),
  ]);
  client = await h.connect();
});
after(() => h.close());

function stderrOf(server: string): string {
  return h.core.supervisor.get(server)!.stderrTail(200).join('\n');
}

test('T75: a call that never answers fails at callMs, naming server and limit; the upstream is cancelled and stays up', async (t) => {
  const fx = h.core.supervisor.get('fx')!;
  const pid = fx.pid;
  const outcome = await timed(() => client.callTool({ name: 'fx__hang', arguments: {} }));
  report(t, 'hang call failed after', outcome.ms);
  const error = asMcpError(outcome.error);
  report(t, 'error', error.message);
  assert.match(error.message, /server "fx"/);
  assert.match(error.message, /tool "hang"/);
  // The gateway's callMs timeout answered, not the total limit (TOTAL_MS) nor the caller's own timeout (60 s).
  assert.equal(error.code, GatewayErrorCode.Timeout);
  assert.match(error.message, new RegExp(`call timeout of ${CALL_MS} ms \\(timeouts\\.callMs\\)`));
  assert.deepEqual(error.data, { limit: 'callMs', ms: CALL_MS });

  const line = await waitUntil(
    () =>
      stderrOf('fx')
        .split('\n')
        .find((l) => l.startsWith('cancelled hang')),
    'the fixture to record the cancellation',
  );
  assert.ok(line);
  const logged = readFileSync(join(h.dataDir, 'logs', 'fx.log'), 'utf8');
  assert.match(logged, /cancelled hang request=\d+/);

  assert.equal(fx.state.state, 'running');
  assert.equal(fx.pid, pid);
  const echo = await client.callTool({ name: 'fx__echo', arguments: { text: 'still here' } });
  assert.deepEqual(echo.content, [{ type: 'text', text: 'still here' }]);
  const audit = h.core.audit.query({ method: 'tools/call', limit: 10_000 }).events.filter((e) => e.target === 'hang');
  assert.equal(audit.at(-1)?.outcome, 'timeout');
});

test('T75: a call that keeps sending progress is still cut at the total limit', async (t) => {
  const progress: Progress[] = [];
  const outcome = await timed(() =>
    client.callTool({ name: 'fx__progress', arguments: { count: 100, intervalMs: 400 } }, CallToolResultSchema, {
      onprogress: (p) => progress.push(p),
      timeout: 30_000,
    }),
  );
  report(t, 'progress call cut after', outcome.ms);
  report(t, 'progress notifications before the cut', String(progress.length));
  const error = asMcpError(outcome.error);
  report(t, 'error', error.message);
  assert.match(error.message, /server "fx", tool "progress"/);
  // The total limit cut it: with progress every 400 ms the callMs timeout (1.5 s) never ran out.
  assert.equal(error.code, GatewayErrorCode.Timeout);
  assert.match(error.message, new RegExp(`total call limit of ${TOTAL_MS} ms \\(timeouts\\.callMaxTotalMs\\)`));
  assert.deepEqual(error.data, { limit: 'callMaxTotalMs', ms: TOTAL_MS });
  assert.ok(progress.length >= 3, `expected progress before the cut, got ${progress.length}`);
  await waitUntil(() => stderrOf('fx').includes('cancelled progress'), 'the fixture to record the cancellation');
  assert.equal(h.core.supervisor.get('fx')!.state.state, 'running');
});

test('progress of server-everything reaches the caller, every step before the result', async () => {
  // The SDK's Client drops a progress notification read together with the result (see notifications-first.ts);
  // this caller is built with the same fix the gateway applies upstream, so what is measured is the gateway.
  const transport = new StreamableHTTPClientTransport(new URL(h.url), {
    requestInit: { headers: { authorization: `Bearer ${h.token}` } },
  });
  deliverNotificationsFirst(transport);
  const ordered = new Client({ name: 'ordered', version: '1.0.0' });
  await ordered.connect(transport);
  const seen: Progress[] = [];
  const result = await ordered.callTool(
    { name: 'everything__trigger-long-running-operation', arguments: { duration: 1, steps: 4 } },
    CallToolResultSchema,
    { onprogress: (p) => seen.push(p) },
  );
  const resultAt = seen.length;
  assert.match(JSON.stringify(result.content), /Long running operation completed/);
  assert.deepEqual(
    seen.map((p) => [p.progress, p.total]),
    [
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ],
  );
  assert.equal(resultAt, 4, 'the last progress notification arrived after the result');
  await ordered.close();
});

test("a client's cancellation reaches the upstream as notifications/cancelled", async (t) => {
  const controller = new AbortController();
  const call = timed(() =>
    client.callTool({ name: 'fx__sleep', arguments: { ms: 60_000 } }, CallToolResultSchema, {
      signal: controller.signal,
    }),
  );
  setTimeout(() => controller.abort('the user pressed stop'), 300);
  const outcome = await call;
  report(t, 'cancelled call settled after', outcome.ms);
  assert.ok(outcome.error !== undefined, 'the cancelled call resolved');
  const line = await waitUntil(
    () =>
      stderrOf('fx')
        .split('\n')
        .find((l) => l.startsWith('cancelled sleep')),
    'the fixture to record the cancellation',
  );
  report(t, 'upstream saw', line);
  await waitUntil(
    () => h.core.audit.query({ method: 'tools/call', limit: 10_000 }).events.find((e) => e.target === 'sleep'),
    'the cancelled call to be audited',
  );
  const audited = h.core.audit
    .query({ method: 'tools/call', limit: 10_000 })
    .events.filter((e) => e.target === 'sleep');
  assert.equal(audited.at(-1)?.outcome, 'cancelled');
});

test('an upstream error comes back naming server and tool', async () => {
  const outcome = await timed(() => client.callTool({ name: 'fx__fail', arguments: { text: 'bad input' } }));
  const error = asMcpError(outcome.error);
  assert.match(error.message, /server "fx", tool "fail"/);
  assert.match(error.message, /fixture failure: bad input/);
  const scoped = await h.connect({ path: '/mcp/fx' });
  const direct = asMcpError((await timed(() => scoped.callTool({ name: 'fail', arguments: { text: 'x' } }))).error);
  assert.match(direct.message, /server "fx", tool "fail"/);
});

test('T37: a call to a server in backoff fails fast, saying what went wrong and when it retries', async (t) => {
  for (const [c, name] of [
    [client, 'crashy__anything'],
    [await h.connect({ path: '/mcp/crashy' }), 'anything'],
  ] as const) {
    // A call that waited for crashy (back in 60 s, or listWaitMs) would get the caller's own timeout instead.
    const outcome = await timed(() => c.callTool({ name, arguments: {} }, undefined, CALLER_TIMEOUT));
    report(t, `call to ${name} on a server in backoff failed after`, outcome.ms);
    const error = asMcpError(outcome.error);
    report(t, 'error', error.message);
    assert.equal(error.code, GatewayErrorCode.ServerUnavailable);
    assert.match(error.message, /server "crashy" is restarting after it exited with code 1; next retry in \d+\.\d s/);
    assert.match(error.message, /FIXTURE_TOKEN is not set/);
  }
});

test('T37: a crash in the middle of a call gives that caller an error from the crash, not from a timeout', async (t) => {
  const outcome = await timed(() => client.callTool({ name: 'dies__exit', arguments: { code: 3 } }));
  report(t, 'call to a server that exits mid-call failed after', outcome.ms);
  const error = asMcpError(outcome.error);
  report(t, 'error', error.message);
  // Had the gateway not noticed the exit, only dies' callMs (60 s) or the caller's timeout would have ended the call.
  assert.equal(error.code, GatewayErrorCode.ServerUnavailable);
  assert.match(error.message, /server "dies", tool "exit"/);
  assert.match(error.message, /went away/);
  await h.waitForState('dies', isRunning);
  const again = await client.callTool({ name: 'dies__echo', arguments: { text: 'back' } });
  assert.deepEqual(again.content, [{ type: 'text', text: 'back' }]);
});

test('T61 a server’s sampling request reaches the one client whose call caused it, and its answer goes back', async () => {
  const asked = await h.connect({ name: 'sampler' });
  const seen: string[] = [];
  asked.setRequestHandler(CreateMessageRequestSchema, (request) => {
    seen.push(JSON.stringify(request.params.messages));
    return { role: 'assistant', content: { type: 'text', text: 'sampled by the caller' }, model: 'test-model' };
  });
  const result = await asked.callTool({
    name: 'everything__trigger-sampling-request',
    arguments: { prompt: 'hi', maxTokens: 5 },
  });
  assert.equal(seen.length, 1);
  assert.match(seen[0]!, /hi/);
  assert.match(JSON.stringify(result.content), /sampled by the caller/);
});

test('T61 with calls of two sessions waiting on one server, its sampling request is refused, never guessed', async (t) => {
  const first = await h.connect({ name: 'first' });
  const second = await h.connect({ name: 'second' });
  let asked = 0;
  for (const c of [first, second]) {
    c.setRequestHandler(CreateMessageRequestSchema, () => {
      asked += 1;
      return { role: 'assistant', content: { type: 'text', text: 'x' }, model: 'm' };
    });
  }
  // A long call of the second session keeps it waiting on the same server while the first one's tool samples.
  const holding = second.callTool({
    name: 'everything__trigger-long-running-operation',
    arguments: { duration: 2, steps: 2 },
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const outcome = await timed(() =>
    first.callTool({ name: 'everything__trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 5 } }),
  );
  await holding;
  const shown = outcome.error instanceof Error ? outcome.error.message : JSON.stringify(outcome.value?.content);
  report(t, 'caller sees', shown);
  assert.equal(asked, 0);
  assert.match(shown, /cannot tell which client sampling\/createMessage/);
});

test('T61 a client that did not declare sampling gets an error from the server, not a request', async () => {
  const plain = new Client({ name: 'no-sampling', version: '1' });
  await plain.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', h.origin), {
      requestInit: { headers: { authorization: `Bearer ${h.token}` } },
    }),
  );
  try {
    const result = await plain.callTool({
      name: 'everything__trigger-sampling-request',
      arguments: { prompt: 'hi', maxTokens: 5 },
    });
    assert.match(JSON.stringify(result), /does not support sampling/);
  } catch (error) {
    assert.match((error as Error).message, /does not support sampling/);
  } finally {
    await plain.close();
  }
});
