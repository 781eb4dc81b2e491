// An upstream that speaks only 2026-07-28 (test/fixtures/modern-upstream.ts, a real SDK 2.x server over
// Streamable HTTP on 127.0.0.1), supervised and served to clients of both eras (gateway notes 7, T57's second
// half). `mu` is found by the default `protocol: "auto"` (initialize refused with -32022 naming 2026-07-28);
// `pinned` names the revision and skips the refused handshake.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { REPO, isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { waitUntil } from '../gateway/support.ts';
import { connectModern } from './modern-http.ts';

const FIXTURE = `${REPO}test/fixtures/modern-upstream.ts`;
/** Only a guard against hanging: each wait below ends by an event, never by a clock. */
const GUARD_MS = 15_000;

let h: Harness;
let upstream: ChildProcess;
let port: number;

async function startUpstream(on = 0): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [FIXTURE, String(on)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    once(child, 'exit').then(() => {
      throw new Error('the modern upstream exited before listening');
    }),
  ])) as [string];
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

before(async () => {
  const started = await startUpstream();
  upstream = started.child;
  port = started.port;
  const url = `http://127.0.0.1:${started.port}/mcp`;
  // A fast health check for the last test; two failed in a row give up on the connection.
  const health = { intervalMs: 200, timeoutMs: 1_000, restartAfterFailures: 2 };
  h = await startHarness({
    servers: {
      mu: { url, health },
      pinned: { url, protocol: '2026-07-28' },
      old: { url, protocol: '2025-11-25' },
      iso: { url, isolation: 'per-session' },
    },
  });
  await Promise.all(['mu', 'pinned', 'iso'].map((name) => h.waitForState(name, isRunning)));
});

after(async () => {
  await h.close();
  upstream.kill('SIGKILL');
});

function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  return content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

/** A legacy session that answers elicitations with `name`, recording each message it is asked. */
async function elicitingSession(
  name: string,
  gate?: Promise<void>,
  arrived?: () => void,
): Promise<{
  client: Client;
  asked: string[];
}> {
  const client = await h.connect({ name });
  const asked: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params.message);
    arrived?.();
    await gate;
    return { action: 'accept', content: { name } };
  });
  return { client, asked };
}

test('status shows both servers running, speaking 2026-07-28, found by probing and by the setting', () => {
  const servers = new Map(h.core.status().servers.map((s) => [s.name, s]));
  for (const name of ['mu', 'pinned']) {
    assert.equal(servers.get(name)?.state.state, 'running', name);
    assert.equal(servers.get(name)?.era, 'modern', name);
  }
  assert.ok(
    h.logLines.some((line) => line.includes('server speaks only 2026-07-28')),
    'auto moved to 2026-07-28 after the refused initialize',
  );
});

test('a server held to 2025-11-25 that speaks only 2026-07-28 fails to start, saying which setting to change', async () => {
  const state = await h.waitForState('old', (s) => s.state === 'failed', GUARD_MS);
  assert.ok(state.state === 'failed' && state.reason === 'spawn-error', JSON.stringify(state));
  assert.match(state.message, /speaks only 2026-07-28 and this server's "protocol" is "2025-11-25"; set it to "auto"/);
  assert.equal(h.core.status().servers.find((s) => s.name === 'old')?.era, null);
});

test('a legacy client sees the modern server tools namespaced and calls them, progress included', async () => {
  const client = await h.connect();
  const names = (await client.listTools()).tools.map((tool) => tool.name);
  for (const tool of ['echo', 'ask-name', 'roots', 'sample', 'insist', 'count', 'envelope', 'log', 'add-tool']) {
    assert.ok(names.includes(`mu__${tool}`), `mu__${tool} in ${names.join(', ')}`);
    assert.ok(names.includes(`pinned__${tool}`), `pinned__${tool}`);
  }
  const echoed = await client.callTool({ name: 'mu__echo', arguments: { text: 'across eras' } });
  assert.equal(textOf(echoed), 'across eras');

  const progress: number[] = [];
  const counted = await client.callTool({ name: 'mu__count', arguments: { n: 4 } }, CallToolResultSchema, {
    onprogress: (p) => progress.push(p.progress),
  });
  assert.equal(textOf(counted), 'counted to 4');
  assert.deepEqual(progress, [1, 2, 3, 4], 'every step, in order, before the result');

  // The envelope the upstream received is the gateway's own hop: 2026-07-28, Switchboard as the client.
  const envelope = JSON.parse(textOf(await client.callTool({ name: 'mu__envelope', arguments: {} }))) as Record<
    string,
    { name?: string } | string
  >;
  assert.equal(envelope['io.modelcontextprotocol/protocolVersion'], '2026-07-28');
  assert.equal((envelope['io.modelcontextprotocol/clientInfo'] as { name?: string }).name, 'switchboard');
});

test('a tool whose argument is mirrored into an Mcp-Param header is called with that header', async () => {
  const client = await h.connect({ name: 'param-header' });
  for (const server of ['mu', 'pinned']) {
    const result = await client.callTool({ name: `${server}__region`, arguments: { region: 'eu-west 1 ü' } });
    assert.equal(textOf(result), 'region eu-west 1 ü', server);
  }
});

test('a call the server refuses for a header its changed schema no longer names is sent again, listed afresh', async () => {
  const client = await h.connect({ name: 'param-header-renamed' });
  assert.equal(textOf(await client.callTool({ name: 'pinned__tagged', arguments: { tag: 'a' } })), 'tag a');
  await client.callTool({ name: 'pinned__rename-tag-header', arguments: { name: 'Label' } });
  // Mcp-Param-Tag is refused with -32020 now; the tools are listed again and the call carries Mcp-Param-Label.
  assert.equal(textOf(await client.callTool({ name: 'pinned__tagged', arguments: { tag: 'b' } })), 'tag b');
});

test('what the server sends passes the same redaction: a client token echoed back is masked', async () => {
  const client = await h.connect({ name: 'redaction' });
  const echoed = textOf(await client.callTool({ name: 'mu__echo', arguments: { text: `token=${h.token}` } }));
  assert.ok(!echoed.includes(h.token), echoed);
  assert.match(echoed, /^token=\[redacted/);
});

test('logging/setLevel reaches the server as the envelope log level: the session gets info, not debug', async () => {
  const client = await h.connect({ name: 'logs' });
  const logs: unknown[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
  // Before any level is set the server sends nothing: a 2026-07-28 server logs only at a level it is given.
  await client.callTool({ name: 'mu__log', arguments: { text: 'before' } });
  assert.deepEqual(logs, []);
  await client.setLoggingLevel('info');
  await client.callTool({ name: 'mu__log', arguments: { text: 'after' } });
  assert.deepEqual(logs, ['info: after'], 'on the call, before its result; debug filtered by the server');
});

test('a tool the server adds is announced on its listen stream and listed namespaced', async () => {
  const client = await h.connect({ name: 'lists' });
  let changed = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void (changed += 1));
  await client.callTool({ name: 'mu__add-tool', arguments: { name: 'fresh' } });
  await waitUntil(() => changed > 0, 'tools/list_changed', GUARD_MS);
  const names = await waitUntil(
    async () => {
      const listed = (await client.listTools()).tools.map((tool) => tool.name);
      return listed.includes('mu__fresh') && listed;
    },
    'mu__fresh listed',
    GUARD_MS,
  );
  assert.ok(names.includes('mu__fresh'));
  assert.equal(textOf(await client.callTool({ name: 'mu__fresh', arguments: {} })), 'fresh');
});

test('resources/subscribe of a legacy session becomes the server’s listen resourceSubscriptions over HTTP', async () => {
  // Scoped to one server: on /mcp the URIs of `mu`, `pinned` and `iso` (one upstream) collide and are namespaced.
  const client = await h.connect({ name: 'subscriber', path: '/mcp/pinned' });
  const updates: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
  await client.subscribeResource({ uri: 'note://watched' });
  // The session's GET stream opens after initialize: touch until the first update comes through it.
  await waitUntil(
    async () => {
      await client.callTool({ name: 'touch', arguments: { uri: 'note://watched' } });
      return updates.length > 0;
    },
    'the update of note://watched',
    GUARD_MS,
  );
  assert.deepEqual(new Set(updates), new Set(['note://watched']));
  await client.subscribeResource({ uri: 'note://other' });
  await client.unsubscribeResource({ uri: 'note://watched' });
  const heard = updates.length;
  await client.callTool({ name: 'touch', arguments: { uri: 'note://watched' } });
  await client.callTool({ name: 'touch', arguments: { uri: 'note://other' } });
  // Both come on the one stream that watches this server's resources, in order: once `other` is heard, an update
  // of `watched` would have been too.
  await waitUntil(() => updates.includes('note://other'), 'the update of note://other', GUARD_MS);
  assert.deepEqual(updates.slice(heard), ['note://other'], 'no update of note://watched after unsubscribing');
});

test('input_required: each of two sessions calling at once is asked its own question and completes its call', async () => {
  // Neither session answers until both have been asked: both input requests are outstanding at the same time.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let arrivals = 0;
  const arrived = (): void => {
    if (++arrivals === 2) release();
  };
  const alice = await elicitingSession('alice', gate, arrived);
  const bob = await elicitingSession('bob', gate, arrived);
  const guard = setTimeout(release, GUARD_MS);
  try {
    const [a, b] = await Promise.all([
      alice.client.callTool({ name: 'mu__ask-name', arguments: { tag: 'from-alice' } }),
      bob.client.callTool({ name: 'mu__ask-name', arguments: { tag: 'from-bob' } }),
    ]);
    assert.equal(arrivals, 2, 'both were asked before either answered');
    assert.deepEqual(alice.asked, ['name for from-alice']);
    assert.deepEqual(bob.asked, ['name for from-bob']);
    assert.equal(textOf(a), 'hello alice (from-alice)');
    assert.equal(textOf(b), 'hello bob (from-bob)');

    // The trail records each question under the session whose call it was asked in.
    const events = h.core.audit.query({ limit: 1000 }).events;
    for (const tag of ['from-alice', 'from-bob']) {
      const call = events.find((e) => e.method === 'tools/call' && e.arguments?.includes(tag) === true);
      const asked = events.find((e) => e.method === 'elicitation/create' && e.arguments?.includes(`name for ${tag}`));
      assert.ok(call !== undefined && asked !== undefined, tag);
      assert.equal(asked.kind, 'server-request');
      assert.equal(asked.server, 'mu');
      assert.equal(asked.outcome, 'ok');
      assert.equal(asked.sessionId, call.sessionId, `${tag}: asked in the session that called`);
    }
  } finally {
    clearTimeout(guard);
  }
});

test('on a per-session server each session has its own 2026-07-28 instance, and is asked on it', async () => {
  const carol = await elicitingSession('carol');
  const dave = await elicitingSession('dave');
  const [c, d] = await Promise.all([
    carol.client.callTool({ name: 'iso__ask-name', arguments: { tag: 'c' } }),
    dave.client.callTool({ name: 'iso__ask-name', arguments: { tag: 'd' } }),
  ]);
  assert.equal(textOf(c), 'hello carol (c)');
  assert.equal(textOf(d), 'hello dave (d)');
  assert.deepEqual([carol.asked, dave.asked], [['name for c'], ['name for d']]);
  const iso = h.core.supervisor.get('iso')!;
  assert.equal(iso.instances.size, 2, 'one instance per session');
});

test('input_required for a session that did not declare elicitation: the call fails naming the capability', async () => {
  const bystander = await elicitingSession('bystander');
  const { Client: LegacyClient } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const plain = new LegacyClient({ name: 'no-elicitation', version: '1.0.0' }, { capabilities: {} });
  await plain.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', h.origin), {
      requestInit: { headers: { authorization: `Bearer ${h.token}` } },
    }),
  );
  try {
    const outcome = await plain.callTool({ name: 'mu__ask-name', arguments: { tag: 'nobody' } }).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    const failure =
      'error' in outcome
        ? String((outcome.error as Error).message)
        : (outcome.result as CallToolResult).isError === true
          ? textOf(outcome.result)
          : null;
    assert.ok(failure !== null, `the call must fail, got ${JSON.stringify(outcome)}`);
    assert.match(failure, /elicitation/i);
    assert.deepEqual(bystander.asked, [], 'another session is never asked in its place');
  } finally {
    await plain.close();
  }
});

test('input_required for roots and sampling is answered by the calling session; a server never satisfied is cut off', async () => {
  const client = await h.connect({ name: 'roots' });
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    role: 'assistant',
    content: { type: 'text', text: 'hi there' },
    model: 'test-model',
  }));
  assert.equal(textOf(await client.callTool({ name: 'mu__sample', arguments: {} })), 'model said hi there');
  const sampled = h.core.audit.query({ limit: 1000 }).events.find((e) => e.method === 'sampling/createMessage');
  assert.equal(sampled?.server, 'mu');
  assert.equal(sampled?.outcome, 'ok');

  let rootsAsked = 0;
  client.setRequestHandler(ListRootsRequestSchema, () => {
    rootsAsked += 1;
    return { roots: [{ uri: 'file:///work/one' }, { uri: 'file:///work/two' }] };
  });
  const roots = await client.callTool({ name: 'mu__roots', arguments: {} });
  assert.equal(textOf(roots), 'file:///work/one file:///work/two');
  assert.equal(rootsAsked, 1);

  let asked = 0;
  client.setRequestHandler(ElicitRequestSchema, () => {
    asked += 1;
    return { action: 'accept', content: { name: 'again' } };
  });
  await assert.rejects(client.callTool({ name: 'mu__insist', arguments: {} }), /still asked for input after 10 rounds/);
  assert.equal(asked, 10, 'each of the 10 rounds was answered once, then the call was given up');
});

test('a legacy client cancelling its call cancels the upstream request (its response is closed)', async () => {
  const client = await h.connect({ name: 'canceller' });
  const count = async (): Promise<number> =>
    Number(textOf(await client.callTool({ name: 'mu__cancelled', arguments: {} })));
  const before = await count();
  const controller = new AbortController();
  const call = client.callTool({ name: 'mu__wait', arguments: {} }, CallToolResultSchema, {
    signal: controller.signal,
    // The upstream has the call once its first progress comes back; then the client gives up on it.
    onprogress: () => controller.abort(),
  });
  await assert.rejects(call, /abort/i);
  const after = await waitUntil(async () => (await count()) > before && count(), 'the upstream cancel', GUARD_MS);
  assert.equal(after, before + 1);
});

test('a 2026-07-28 client through the gateway lists and calls the modern server', async (t) => {
  const client = await connectModern(t, h);
  const names = (await client.listTools()).tools.map((tool) => tool.name);
  assert.ok(names.includes('mu__echo') && names.includes('mu__count'), names.join(', '));
  const result = await client.callTool({ name: 'mu__echo', arguments: { text: 'modern both ways' } });
  assert.equal(textOf(result), 'modern both ways');
  // The SDK mirrors `region` into Mcp-Param-Region for the gateway's door, and the gateway again for the server's.
  const region = await client.callTool({ name: 'mu__region', arguments: { region: 'eu-west 1 ü' } });
  assert.equal(textOf(region), 'region eu-west 1 ü');
});

test('a 2026-07-28 client answers, by auto-fulfilment, the elicitation a 2026-07-28 server asks for', async (t) => {
  // Two input_required hops: the upstream's to the gateway, then the gateway's (modern door) to this client.
  const client = new ModernClient(
    { name: 'modern-asked', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { elicitation: {} } },
  );
  const asked: string[] = [];
  client.setRequestHandler('elicitation/create', (request) => {
    asked.push((request.params as { message: string }).message);
    return Promise.resolve({ action: 'accept' as const, content: { name: 'Erin' } });
  });
  await client.connect(
    new ModernHTTPClientTransport(new URL('/mcp', h.origin), {
      requestInit: { headers: { authorization: `Bearer ${h.token}` } },
    }),
  );
  t.after(() => client.close());
  for (const server of ['mu', 'pinned']) {
    const result = await client.callTool({ name: `${server}__ask-name`, arguments: { tag: `modern-${server}` } });
    assert.equal(textOf(result), `hello Erin (modern-${server})`, server);
  }
  assert.deepEqual(asked, ['name for modern-mu', 'name for modern-pinned'], 'the upstream’s own questions, once each');
  const events = h.core.audit.query({ limit: 1000 }).events;
  for (const server of ['mu', 'pinned']) {
    const question = events.find(
      (e) => e.method === 'elicitation/create' && e.arguments?.includes(`name for modern-${server}`) === true,
    );
    assert.equal(question?.server, server);
    assert.equal(question?.outcome, 'ok');
    const call = events.find((e) => e.method === 'tools/call' && e.arguments?.includes(`modern-${server}`) === true);
    assert.equal(call?.protocolVersion, '2026-07-28');
    assert.equal(call?.outcome, 'ok');
  }
});

test('the server going away is noticed by health checks; when it is back, both connections follow it', async () => {
  const degraded = h.waitForState('mu', (s) => s.state === 'degraded', GUARD_MS);
  const gaveUp = h.waitForState('mu', (s) => s.state === 'backoff', GUARD_MS);
  upstream.kill('SIGKILL');
  const first = await degraded;
  assert.ok(first.state === 'degraded' && first.failedPings === 1, JSON.stringify(first));
  const later = await gaveUp;
  assert.ok(later.state === 'backoff', JSON.stringify(later));
  assert.match(later.lastExit.reason, /stopped answering pings \(2 failed in a row/);

  const client = await h.connect({ name: 'after' });
  const failed = await client.callTool({ name: 'mu__echo', arguments: { text: 'x' } }).then(
    () => null,
    (error: unknown) => error as Error,
  );
  assert.ok(failed !== null, 'a call to a server that is gone fails');
  assert.match(failed.message, /server "mu"/);

  // Back on the same address: `mu` reconnects from backoff. `pinned` (checked every 30 s) never noticed; its
  // listen stream ended with the server and is opened again, after which its lists are read again.
  upstream = (await startUpstream(port)).child;
  await h.waitForState('mu', isRunning, GUARD_MS);
  await client.callTool({ name: 'pinned__add-tool', arguments: { name: 'newer' } });
  const names = await waitUntil(
    async () => {
      const listed = (await client.listTools()).tools.map((tool) => tool.name);
      return listed.includes('pinned__newer') && listed.includes('mu__newer') && listed;
    },
    'the added tool listed by both servers',
    GUARD_MS,
  );
  assert.ok(names.includes('pinned__newer'));
});
