// The core as a shared service, scaled out: two `switchboard serve` processes (each its own data directory, the same
// fixture server and the same JWT issuer) behind a sticky proxy on 127.0.0.1 (test/helpers/sticky-proxy.ts) that
// pins requests by Mcp-Session-Id. SDK clients with members' JWTs: each session stays on one instance, which its
// audit trail shows, with the member on every record. Then SIGTERM to one instance with a slow call in flight:
// /readyz says draining at once, the call completes, new work there is refused with 503 + Retry-After +
// Connection: close, new sessions through the proxy land on the other instance, and the drained one exits 0.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AuditEvent } from '../../../main/audit/audit-event.ts';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { gatewayFixtureServer } from '../../helpers/gateway-harness.ts';
import { AUDIENCE, ISSUER, startIssuer, type TestIssuer } from '../../helpers/jwt-issuer.ts';
import { startStickyProxy, type StickyProxy } from '../../helpers/sticky-proxy.ts';
import { runBin, startServe, type ServeProcess } from '../cli/serve-process.ts';

const PUBLIC_HOST = 'switchboard.test';
/** The slow call runs this long, so it is still running while the drain is checked; drainMs is well above it. */
const SLOW_STEPS = 8;
const STEP_MS = 1_000;
const DRAIN_MS = 30_000;

const instances: ServeProcess[] = [];
const dirs: string[] = [];
const clients: Client[] = [];
let proxy: StickyProxy | null = null;

after(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  for (const serve of instances) {
    if (serve.child.exitCode === null && serve.child.signalCode === null) {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  }
  await proxy?.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function instance(idp: TestIssuer): Promise<ServeProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-shared-'));
  dirs.push(dir);
  const written = await writeConfig(dataDirPaths(dir).config, {
    gateway: {
      drainMs: DRAIN_MS,
      publicHosts: [PUBLIC_HOST],
      auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: idp.jwksUrl } },
    },
    servers: { fx: gatewayFixtureServer('tools') },
  });
  assert.ok(written.ok, JSON.stringify(written));
  const serve = await startServe(dir);
  instances.push(serve);
  return serve;
}

async function connect(url: string, jwt: string): Promise<{ client: Client; session: () => string }> {
  const client = new Client({ name: 'shared-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', url), {
    requestInit: { headers: { authorization: `Bearer ${jwt}` } },
  });
  await client.connect(transport);
  clients.push(client);
  return { client, session: () => transport.sessionId ?? '' };
}

/** Every record of an instance's audit trail, through the CLI as an operator reads it. */
async function auditOf(index: number): Promise<AuditEvent[]> {
  const run = await runBin(['--data-dir', dirs[index]!, 'audit', '--json', '--limit', '10000']);
  assert.equal(run.code, 0, run.err);
  return (JSON.parse(run.out) as { events: AuditEvent[] }).events;
}

async function readyz(serve: ServeProcess): Promise<{ status: number; body: { status?: string } }> {
  const response = await fetch(new URL('/readyz', serve.url));
  return { status: response.status, body: (await response.json()) as { status?: string } };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function text(result: unknown): string {
  return ((result as CallToolResult).content[0] as { text: string }).text;
}

test('sessions stay on their instance behind a sticky proxy; a drained instance finishes its call, refuses new work and exits 0', async (t) => {
  const idp = await startIssuer(t);
  const [a, b] = [await instance(idp), await instance(idp)];
  for (const serve of [a, b])
    await until('the instance to be ready', async () => ((await readyz(serve)).status === 200 ? true : undefined));
  proxy = await startStickyProxy([new URL(a.url).origin, new URL(b.url).origin], { host: PUBLIC_HOST });

  const members = ['alice', 'bob', 'carol', 'dave'];
  const sessions = [];
  for (const member of members) {
    const jwt = await idp.sign({ sub: member, client_id: 'ide' });
    const { client, session } = await connect(proxy.url, jwt);
    const echoed = await client.callTool({ name: 'fx__echo', arguments: { text: member } });
    assert.match(JSON.stringify(echoed), new RegExp(member));
    await client.callTool({ name: 'fx__echo', arguments: { text: `${member} again` } });
    sessions.push({ member, client, id: session(), jwt });
  }
  const placed = sessions.map((s) => proxy!.pins.get(s.id));
  assert.deepEqual([...new Set(placed)].sort(), [0, 1], 'new sessions are spread over both instances');

  // Each instance's trail has exactly the sessions pinned to it, every record with its member.
  const trails = [await auditOf(0), await auditOf(1)];
  for (const [index, s] of sessions.entries()) {
    const home = placed[index]!;
    const own = trails[home]!.filter((e) => e.sessionId === s.id);
    assert.ok(
      own.some((e) => e.method === 'session-opened'),
      `${s.member}: session opened on instance ${home}`,
    );
    assert.equal(own.filter((e) => e.method === 'tools/call').length, 2, `${s.member}: both calls on instance ${home}`);
    assert.ok(
      own.every((e) => e.member === s.member && e.client === 'ide'),
      `${s.member} on every record`,
    );
    assert.equal(trails[1 - home]!.filter((e) => e.sessionId === s.id).length, 0, `${s.member}: nothing elsewhere`);
  }

  // SIGTERM to instance 0 while a call of a session pinned there is in flight.
  const onA = sessions.filter((_, i) => placed[i] === 0);
  assert.ok(onA.length >= 2, 'two sessions on the instance to drain');
  const [slowSession, otherSession] = [onA[0]!, onA[1]!];
  // Its first progress notification says it is running upstream.
  let progressed: () => void = () => {};
  const inFlight = new Promise<void>((resolve) => (progressed = resolve));
  const slow = slowSession.client.callTool(
    { name: 'fx__progress', arguments: { count: SLOW_STEPS, intervalMs: STEP_MS } },
    undefined,
    { timeout: DRAIN_MS, onprogress: () => progressed() },
  );
  await inFlight;
  a.child.kill('SIGTERM');

  const draining = await until('/readyz to say draining', async () => {
    const answer = await readyz(a);
    return answer.status === 503 ? answer : undefined;
  });
  assert.equal(draining.body.status, 'draining');

  // A new call on an open session of the draining instance: 503, so a proxy can send the client elsewhere.
  const refused = await fetch(new URL('/mcp', a.url), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${otherSession.jwt}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': otherSession.id,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'fx__echo', arguments: {} } }),
  });
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.equal(refused.headers.get('connection'), 'close');
  assert.match(((await refused.json()) as { error: { message: string } }).error.message, /shutting down/);
  await assert.rejects(
    otherSession.client.callTool({ name: 'fx__echo', arguments: { text: 'late' } }),
    /503|shutting down/,
    'the SDK client hears the refusal too',
  );

  // New sessions through the proxy all land on the other instance, whichever one the proxy tried first.
  const retriesBefore = proxy.retries;
  for (const member of ['erin', 'frank']) {
    const { client, session } = await connect(proxy.url, await idp.sign({ sub: member, client_id: 'ide' }));
    assert.equal(proxy.pins.get(session()), 1, `${member}'s new session is on the instance still serving`);
    const echoed = await client.callTool({ name: 'fx__echo', arguments: { text: member } });
    assert.match(JSON.stringify(echoed), new RegExp(member));
  }
  assert.ok(proxy.retries > retriesBefore, 'the proxy was turned away by the draining instance at least once');

  // The call in flight when the signal came completes; then the instance exits 0.
  assert.equal(text(await slow), `sent ${SLOW_STEPS} progress notifications`);
  const exited = await a.exited;
  assert.deepEqual(exited, { code: 0, signal: null }, a.stderr());
  const drained = await auditOf(0);
  const slowRecord = drained.find((e) => e.sessionId === slowSession.id && e.target === 'progress');
  assert.equal(slowRecord?.outcome, 'ok', 'the slow call is audited as completed');
  assert.equal(slowRecord?.member, slowSession.member);
});
