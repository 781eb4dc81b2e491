// A 2025-11-25 upstream asks its client something during a call; the client speaks 2026-07-28 and cannot receive
// requests. Through the gateway the question becomes an `input_required` result, the upstream request waits, and
// the client's retry brings the answer upstream. What the conformance suite does not test: a state used by another
// client, a tampered one, a client without the capability, and a client that never comes back.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import {
  Client,
  LOG_LEVEL_META_KEY,
  StreamableHTTPClientTransport,
  type ClientCapabilities,
  type InputRequiredResult,
} from '@modelcontextprotocol/client';
import { isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { waitUntil } from '../gateway/support.ts';
import { rpcError, type RawResponse, type Target } from '../security/raw-http.ts';
import { audit, targetOf } from '../security/mcp-session.ts';
import {
  MODERN,
  cancellations,
  envelope,
  modernBody,
  modernFixtureServer,
  modernPost,
  resultOf,
} from './modern-http.ts';

/** Only a guard against hanging: the cancel on expiry is waited for, never timed. */
const CANCELLED_WITHIN_MS = 20_000;

let h: Harness;
let target: Target;

before(async () => {
  h = await startHarness({ servers: { fx: modernFixtureServer() } });
  await h.waitForState('fx', isRunning);
  target = targetOf(h);
});
after(() => h.close());

const ELICITATION = { elicitation: {} };
const asking = (capabilities: object = ELICITATION) =>
  envelope({ 'io.modelcontextprotocol/clientCapabilities': capabilities });

/** The first round of `fx__ask-name`: the upstream's question as an input request, and the state to retry with. */
async function askName(on: Target): Promise<{ key: string; state: string; request: Record<string, unknown> }> {
  const result = resultOf(
    await modernPost(on, modernBody('tools/call', { name: 'fx__ask-name', arguments: {} }, asking())),
  );
  assert.equal(result.resultType, 'input_required', JSON.stringify(result));
  const [key, request] = Object.entries(result.inputRequests as Record<string, Record<string, unknown>>)[0]!;
  assert.equal(typeof result.requestState, 'string');
  return { key, state: result.requestState as string, request };
}

function retry(on: Target, key: string, state: string, name: string): Promise<RawResponse> {
  const params = {
    name: 'fx__ask-name',
    arguments: {},
    inputResponses: { [key]: { action: 'accept', content: { name } } },
    requestState: state,
  };
  return modernPost(on, modernBody('tools/call', params, asking()));
}

const textOf = (result: Record<string, unknown>) => (result.content as { text: string }[])[0]?.text;

test('T61 (modern) an SDK 2.x client answers the upstream’s elicitation through input_required; both are audited', async (t) => {
  const client = new Client(
    { name: 'modern-asked', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } }, capabilities: { elicitation: {} } },
  );
  const questions: string[] = [];
  client.setRequestHandler('elicitation/create', async (request) => {
    questions.push((request.params as { message: string }).message);
    return { action: 'accept', content: { name: 'Alice' } };
  });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', h.origin), {
      requestInit: { headers: { authorization: `Bearer ${h.token}` } },
    }),
  );
  t.after(() => client.close());
  const result = await client.callTool({ name: 'fx__ask-name', arguments: {} });
  assert.deepEqual(questions, ['What is your name?'], 'the upstream’s own question reached the client');
  assert.deepEqual(result.content, [{ type: 'text', text: 'hello Alice' }]);

  const asked = await waitUntil(
    () => audit(h, { kind: 'server-request' }).find((r) => r.method === 'elicitation/create' && r.outcome === 'ok'),
    'the elicitation to be audited',
  );
  assert.equal(asked.server, 'fx');
  assert.equal(asked.client, 'test-client');
  const call = audit(h, { method: 'tools/call' }).find((r) => r.target === 'ask-name' && r.outcome === 'ok');
  assert.equal(call?.protocolVersion, MODERN);
});

test('another client cannot continue a request with its requestState, nor can a tampered one; the owner can', async () => {
  const other = targetOf(h, await h.mintToken('other-client'));
  const { key, state, request } = await askName(target);
  assert.equal(request.method, 'elicitation/create');
  assert.equal((request.params as { message: string }).message, 'What is your name?');

  const refusedFor = async (on: Target, withState: string, what: string) => {
    const response = await retry(on, key, withState, 'Mallory');
    const error = rpcError(response);
    assert.equal(error.code, -32602, `${what}: ${response.text.slice(0, 200)}`);
    assert.deepEqual(error.data, { reason: 'invalid_request_state' }, what);
  };
  await refusedFor(other, state, 'another token');
  const [version, body, mac] = state.split('.') as [string, string, string];
  await refusedFor(target, `${version}.${body}.${mac.slice(0, -2)}AA`, 'a changed MAC');
  await refusedFor(target, `${state}-TAMPERED`, 'a suffix');

  // None of that reached the upstream: the owner's retry is still the one that answers it.
  const done = resultOf(await retry(target, key, state, 'Bob'));
  assert.equal(done.resultType, 'complete');
  assert.equal(textOf(done), 'hello Bob');
  // A state serves once.
  await refusedFor(target, state, 'the same state again');
});

test('a client that did not declare elicitation is not asked; the upstream hears -32021 naming it', async () => {
  const params = { name: 'fx__ask-name', arguments: {} };
  const result = resultOf(await modernPost(target, modernBody('tools/call', params, asking({ sampling: {} }))));
  assert.equal(result.resultType, 'complete', 'no input_required for a kind the client cannot answer');
  assert.equal(result.isError, true);
  assert.match(textOf(result) ?? '', /^refused -32021: .*does not support elicitation/);
  const refused = await waitUntil(
    () => audit(h, { kind: 'server-request' }).find((r) => r.outcome === 'protocol-error'),
    'the refusal to be audited',
  );
  assert.match(refused.error ?? '', /does not support elicitation/);
});

test('a request never retried is cancelled upstream after gateway.inputWaitMs, and its state is refused', async () => {
  const short = await startHarness({ gateway: { inputWaitMs: 300 }, servers: { fx: modernFixtureServer() } });
  try {
    await short.waitForState('fx', isRunning);
    const on = targetOf(short);
    const { key, state } = await askName(on);
    const cancelled = await waitUntil(
      () => cancellations(short, 'fx').find((c) => c.tool === 'ask-name'),
      'the upstream to hear the cancel',
      CANCELLED_WITHIN_MS,
    );
    assert.equal(cancelled.tool, 'ask-name');
    const error = rpcError(await retry(on, key, state, 'Late'));
    assert.equal(error.code, -32602);
    assert.match(error.message, /gateway\.inputWaitMs \(300 ms\)/);
    const record = await waitUntil(
      () => audit(short, { method: 'tools/call' }).find((r) => r.target === 'ask-name'),
      'the call to be audited',
    );
    assert.equal(record.outcome, 'cancelled');
    // The question itself is recorded as a request that got no answer, saying why.
    const asked = await waitUntil(
      () => audit(short, { kind: 'server-request' }).find((r) => r.method === 'elicitation/create'),
      'the unanswered elicitation to be audited',
    );
    assert.notEqual(asked.outcome, 'ok');
    assert.match(asked.error ?? '', /inputWaitMs/);
  } finally {
    await short.close();
  }
});

/** An SDK 2.x client that answers `input_required` itself (manual mode), as a client showing a form would. */
async function manualClient(t: TestContext, capabilities: ClientCapabilities): Promise<Client> {
  const client = new Client(
    { name: 'modern-manual', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } }, capabilities, inputRequired: { autoFulfill: false } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', h.origin), {
      requestInit: { headers: { authorization: `Bearer ${h.token}` } },
    }),
  );
  t.after(() => client.close());
  return client;
}

test('what the upstream reports while its call is parked reaches the client on the retry, before the result', async (t) => {
  const client = await manualClient(t, ELICITATION);
  const logs: unknown[] = [];
  client.setNotificationHandler('notifications/message', (n) => void logs.push(n.params.data));
  const progress: { round: string; message: string | undefined }[] = [];
  const call = (round: string, more: Record<string, unknown> = {}) =>
    client.request(
      {
        method: 'tools/call',
        params: { name: 'fx__ask-and-report', arguments: {}, ...more, _meta: { [LOG_LEVEL_META_KEY]: 'info' } },
      },
      { allowInputRequired: true, onprogress: (p) => void progress.push({ round, message: p.message }) },
    );

  const first = (await call('first')) as unknown as InputRequiredResult;
  assert.equal(first.resultType, 'input_required');
  const [key] = Object.keys(first.inputRequests ?? {});
  assert.ok(key !== undefined);
  // Parked: no request of this client is open. The upstream now reports on the call.
  const pid = h.core.status().servers.find((s) => s.name === 'fx')?.pid;
  assert.equal(typeof pid, 'number');
  process.kill(pid!, 'SIGUSR2');
  await waitUntil(() => h.core.supervisor.get('fx')?.stderrTail(200).includes('reported'), 'the upstream’s report');
  assert.deepEqual([progress, logs], [[], []], 'nothing reached the client while it had no request open');

  const done = await call('retry', {
    inputResponses: { [key]: { action: 'accept', content: { name: 'Pat' } } },
    requestState: first.requestState,
  });
  assert.equal(textOf(done as Record<string, unknown>), 'hello Pat');
  assert.deepEqual(progress, [{ round: 'retry', message: 'still waiting' }], 'under the retry’s progress token');
  assert.deepEqual(logs, ['still waiting'], 'at the level the retry asked for');
});

test('a URL-mode elicitation reaches a 2026-07-28 client in that era’s form; accepting it finishes the call', async (t) => {
  const client = await manualClient(t, { elicitation: { url: {} } });
  const completions: unknown[] = [];
  client.setNotificationHandler('notifications/elicitation/complete', (n) => void completions.push(n.params));
  const call = (more: Record<string, unknown> = {}) =>
    client.request(
      { method: 'tools/call', params: { name: 'fx__connect', arguments: {}, ...more } },
      { allowInputRequired: true },
    );
  const first = (await call()) as unknown as InputRequiredResult;
  assert.equal(first.resultType, 'input_required');
  const entries = Object.entries(first.inputRequests ?? {});
  assert.equal(entries.length, 1);
  const [key, request] = entries[0]!;
  const { url } = request.params as { url: string };
  const flow = new URL(url).searchParams.get('flow');
  assert.match(flow ?? '', /^connect-\d+$/);
  // 2026-07-28 has no elicitationId (the flow itself is what the answer belongs to, changelog item 11).
  assert.deepEqual(request, {
    method: 'elicitation/create',
    params: { mode: 'url', message: 'Connect your account.', url },
  });

  // The user consented and went to the URL; the retry waits until the upstream has finished the call.
  const done = await call({ inputResponses: { [key]: { action: 'accept' } }, requestState: first.requestState });
  assert.equal(textOf(done as Record<string, unknown>), `connected ${flow}`);
  // notifications/elicitation/complete does not exist in 2026-07-28: the retry's result is the completion.
  assert.deepEqual(completions, []);
});

test('a 2026-07-28 client that declared only form elicitation is not sent to a URL: the call fails with -32021', async (t) => {
  const client = await manualClient(t, ELICITATION);
  const failed = await client
    .request({ method: 'tools/call', params: { name: 'fx__connect', arguments: {} } }, { allowInputRequired: true })
    .then(
      () => null,
      (error: unknown) => error as { code?: number; message: string },
    );
  assert.ok(failed !== null, 'the call must fail');
  assert.equal(failed.code, -32021);
  assert.match(failed.message, /elicitation\.url/);
});

test('a legacy session sent to a URL hears notifications/elicitation/complete for it; another session does not', async () => {
  const { Client: LegacyClient } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport: LegacyTransport } =
    await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const { ElicitRequestSchema, ElicitationCompleteNotificationSchema } =
    await import('@modelcontextprotocol/sdk/types.js');
  const open = async (name: string) => {
    const client = new LegacyClient({ name, version: '1.0.0' }, { capabilities: { elicitation: { url: {} } } });
    const completed: string[] = [];
    const asked: string[] = [];
    client.setNotificationHandler(
      ElicitationCompleteNotificationSchema,
      (n) => void completed.push(n.params.elicitationId),
    );
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      if (request.params.mode === 'url') asked.push(request.params.elicitationId);
      return { action: 'accept' };
    });
    await client.connect(
      new LegacyTransport(new URL('/mcp', h.origin), {
        requestInit: { headers: { authorization: `Bearer ${h.token}` } },
      }),
    );
    return { client, completed, asked };
  };
  const alice = await open('url-alice');
  const bystander = await open('url-bystander');
  try {
    const result = await alice.client.callTool({ name: 'fx__connect', arguments: {} });
    const [id] = alice.asked;
    assert.match(id ?? '', /^connect-\d+$/);
    assert.deepEqual(result.content, [{ type: 'text', text: `connected ${id}` }]);
    await waitUntil(() => alice.completed.includes(id!), 'the completion notification');
    // The bystander's own call, answered after the completion was sent, shows it was not sent there too.
    await bystander.client.callTool({ name: 'fx__echo', arguments: { text: 'x' } });
    assert.deepEqual(bystander.completed, []);
  } finally {
    await Promise.all([alice.client.close(), bystander.client.close()]);
  }
});
