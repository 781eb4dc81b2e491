// Security catalogue, section B: legacy (initialize-era) clients end to end over HTTP (T54), and what the gateway
// does without resumability (T59).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  isJSONRPCRequest,
  ToolListChangedNotificationSchema,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { fixtureServer, type Harness } from '../../helpers/gateway-harness.ts';
import {
  audit,
  initializeBody,
  openSession,
  rpc,
  securityFixtureServer,
  sleep,
  startCore,
  stillOpen,
  targetOf,
  within,
  type OpenedSession,
} from './mcp-session.ts';
import { jsonOf, messagesOf, openSse, rawRequest, rpcError, type SseStream, type Target } from './raw-http.ts';

const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;

interface VersionedClient {
  readonly client: Client;
  readonly transport: StreamableHTTPClientTransport;
  /** Resolves when the client's GET stream has been answered 200. */
  readonly listening: Promise<void>;
}

/** An SDK client that asks for `version` in its initialize (the SDK itself always asks for its latest). */
async function connectAt(t: TestContext, h: Harness, version: string): Promise<VersionedClient> {
  let listened!: () => void;
  const listening = new Promise<void>((resolve) => (listened = resolve));
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', h.origin), {
    requestInit: { headers: { authorization: `Bearer ${h.token}` } },
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      if (init?.method === 'GET' && response.status === 200) listened();
      return response;
    },
  });
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage, options) => {
    if (isJSONRPCRequest(message) && message.method === 'initialize') {
      return send({ ...message, params: { ...message.params, protocolVersion: version } }, options);
    }
    return send(message, options);
  };
  const client = new Client({ name: `legacy-${version}`, version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport);
  t.after(() => client.close());
  return { client, transport, listening };
}

test('T54 legacy SDK clients at 2025-11-25, 2025-06-18 and 2025-03-26 work end to end over HTTP', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const clients = new Map<string, VersionedClient>();
  for (const version of LEGACY_VERSIONS) clients.set(version, await connectAt(t, h, version));

  for (const [version, { transport, listening }] of clients) {
    assert.equal(transport.protocolVersion, version, `initialize echoed ${version}`);
    assert.match(transport.sessionId ?? '', /^[0-9a-f-]{36}$/, `${version}: a session id`);
    await within(listening, 5_000, `${version}: the GET stream`);
  }
  assert.equal(new Set([...clients.values()].map((c) => c.transport.sessionId)).size, 3);

  // A tool change upstream (a server added to config.json) reaches every client on its GET stream. The lists are
  // read first, so a notification from the start-up listing cannot pass for this one.
  const changed = new Map<string, Promise<void>>();
  for (const [version, { client }] of clients) {
    assert.ok((await client.listTools()).tools.some((tool) => tool.name === 'echo__echo'));
    changed.set(
      version,
      new Promise((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve())),
    );
  }
  const written = await writeConfig(dataDirPaths(h.dataDir).config, {
    servers: { echo: fixtureServer('echo'), added: fixtureServer('echo') },
  });
  assert.ok(written.ok);
  for (const [version, notified] of changed) {
    await within(notified, 20_000, `${version}: notifications/tools/list_changed`);
  }

  for (const [version, { client }] of clients) {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    assert.ok(names.includes('echo__echo') && names.includes('added__echo'), `${version}: ${names.join(', ')}`);
    for (const name of ['echo__echo', 'added__echo']) {
      const result = await client.callTool({ name, arguments: { text: `${version} via ${name}` } });
      assert.deepEqual(result.content, [{ type: 'text', text: `${version} via ${name}` }]);
    }
  }
  const records = audit(h, { method: 'tools/call' });
  for (const version of LEGACY_VERSIONS) {
    assert.equal(records.filter((r) => r.protocolVersion === version && r.outcome === 'ok').length, 2, version);
  }

  for (const [version, { transport }] of clients) {
    const id = transport.sessionId!;
    await transport.terminateSession();
    const after = await rawRequest(target, {
      headers: { 'mcp-session-id': id, 'mcp-protocol-version': version },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    assert.equal(after.status, 404, `${version}: the session ended with DELETE`);
  }
  assert.equal(h.core.status().sessions, 0);

  const future = await rawRequest(target, { body: initializeBody('2030-01-01') });
  assert.equal(future.status, 200, future.text);
  assert.equal((jsonOf(future).result as { protocolVersion: string }).protocolVersion, '2025-11-25');

  const noSession = await rawRequest(target, { body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
  assert.equal(noSession.status, 400);
  assert.equal(rpcError(noSession).code, -32600);
});

/** Opens a GET stream, waiting out the moment in which the gateway has not yet seen the previous one close. */
async function listen(target: Target, session: OpenedSession, lastEventId?: string): Promise<SseStream> {
  const headers = {
    'mcp-session-id': session.id,
    ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
  };
  for (let attempt = 0; attempt < 20; attempt++) {
    const stream = await openSse(target, { headers });
    if (stream.status !== 409) return stream;
    await stream.ended;
    await sleep(50);
  }
  throw new Error('the previous GET stream was never released');
}

const isListChanged = (stream: SseStream): number =>
  messagesOf(stream.events).filter((m) => m.method === 'notifications/tools/list_changed').length;

test('T59 without resumability, a GET with Last-Event-ID opens a fresh stream: nothing replayed, nothing twice', async (t) => {
  const h = await startCore(t, { servers: { noisy: securityFixtureServer() } });
  const target = targetOf(h);
  const session = await openSession(target);
  const changeTools = async (): Promise<void> => {
    const response = await rpc(target, session, 'tools/call', { name: 'noisy__add-tool', arguments: {} });
    assert.equal(response.status, 200, response.text);
  };

  // Listed before any stream opens, so the only changes on the streams are the ones this test makes.
  const listed = await rpc(target, session, 'tools/list');
  assert.match(listed.text, /noisy__add-tool/);

  const first = await listen(target, session);
  assert.equal(first.status, 200);
  assert.equal((await openSse(target, { headers: { 'mcp-session-id': session.id } })).status, 409, 'one GET stream');
  await changeTools();
  await first.waitFor((e) => e.data.includes('list_changed'), 5_000);
  await sleep(300);
  assert.equal(isListChanged(first), 1, 'one change, one notification');
  assert.ok(
    first.events.every((e) => e.id === null),
    'events carry no ids: there is nothing to resume from',
  );
  first.close();

  // A change while no stream is open is not kept for later.
  await sleep(100);
  await changeTools();
  await sleep(300);

  const resumed = await listen(target, session, 'e2');
  assert.equal(resumed.status, 200, 'a fresh stream, not an error');
  t.after(() => resumed.close());
  await sleep(500);
  assert.deepEqual(resumed.events, [], 'nothing replayed');
  await changeTools();
  await resumed.waitFor((e) => e.data.includes('list_changed'), 5_000);
  await sleep(300);
  assert.equal(isListChanged(resumed), 1, 'the new change arrives once');

  // Another client naming an event id on its own session gets nothing of this one's.
  const b = { ...target, token: await h.mintToken('client-b') };
  const other = await openSession(b);
  const foreign = await listen(b, other, '0');
  t.after(() => foreign.close());
  await sleep(300);
  assert.deepEqual(foreign.events, []);
  assert.ok(await stillOpen(foreign.ended, 50));
});
