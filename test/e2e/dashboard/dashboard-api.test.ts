// The dashboard's door on a real `serve`: the printed link trades its token for an HttpOnly cookie and leaves the
// address bar; the API answers only the cookie or the token; state-changing calls need the contract's header and
// a same-origin request; client tokens and the dashboard token do not open each other's doors.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocket } from 'ws';
import { CSRF_HEADER, type AuditPageView, type ControlEvent, type StatusView } from '../../../preload/contract.ts';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import { runBin, startServe } from '../cli/serve-process.ts';
import { waitUntil } from '../gateway/support.ts';

/** The HTTP status a WebSocket upgrade is refused with; 101 if it is accepted. */
async function refusedWith(url: string, headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(url, { headers });
  ws.on('error', () => {});
  const status = await new Promise<number>((resolve) => {
    ws.once('unexpected-response', (_req, res: IncomingMessage) => resolve(res.statusCode ?? 0));
    ws.once('open', () => resolve(101));
  });
  ws.terminate();
  return status;
}

test('dashboard link, cookie, API, event stream, CSRF and the separation of dashboard and client tokens', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-dashboard-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.ok((await writeConfig(dataDirPaths(dir).config, { servers: { echo: fixtureServer('echo') } })).ok);
  const made = await runBin(['token', 'create', 'cursor', '--json', '--data-dir', dir]);
  const clientToken = (JSON.parse(made.out) as { token: string }).token;
  const serve = await startServe(dir);
  t.after(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
  });
  const link = new URL(serve.dashboard);
  const base = link.origin;
  const dashboardToken = link.searchParams.get('token')!;
  assert.ok(dashboardToken.length >= 40, 'a long random token');
  assert.notEqual(dashboardToken, clientToken);

  // Opening the link: 303 to "/" with an HttpOnly, SameSite=Strict cookie; the token is gone from the address.
  const opened = await fetch(link, { redirect: 'manual' });
  assert.equal(opened.status, 303);
  assert.equal(opened.headers.get('location'), '/');
  const setCookie = opened.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /^sb_dashboard=[\w-]{40,}; HttpOnly; SameSite=Strict; Path=\//);
  const cookie = setCookie.split(';')[0]!;
  assert.equal((await fetch(`${base}/?token=${dashboardToken}x`, { redirect: 'manual' })).status, 401);

  const api = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, init);
  /** A control call as the dashboard makes it: POST, JSON input, the contract's header, the session cookie. */
  const call = (method: string, input: unknown = {}, headers: Record<string, string> = {}) =>
    api(`/api/${method}`, {
      method: 'POST',
      headers: { cookie, [CSRF_HEADER]: '1', 'content-type': 'application/json', ...headers },
      body: JSON.stringify(input),
    });
  // No credentials, a made-up cookie, a client token: 401.
  const post = { method: 'POST', headers: { [CSRF_HEADER]: '1' } };
  assert.equal((await api('/api/status', post)).status, 401);
  assert.equal(
    (await api('/api/status', { ...post, headers: { ...post.headers, cookie: 'sb_dashboard=forged' } })).status,
    401,
  );
  assert.equal(
    (await api('/api/status', { ...post, headers: { ...post.headers, authorization: `Bearer ${clientToken}` } }))
      .status,
    401,
  );
  assert.equal((await api('/', {})).status, 401);

  const status = (await (await call('status')).json()) as { ok: true; value: StatusView };
  assert.equal(status.ok, true);
  assert.deepEqual(
    status.value.servers.map((s) => s.name),
    ['echo'],
  );
  assert.equal(
    (await call('status', {}, { cookie: '', authorization: `Bearer ${dashboardToken}` })).status,
    200,
    'the token as a bearer',
  );

  // The dashboard token is no client token: the MCP door refuses it.
  const mcp = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${dashboardToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  assert.equal(mcp.status, 401);

  // A state-changing call needs POST, the contract's header, and no foreign Origin.
  // The event stream: refused without credentials or from a foreign origin; with the cookie it follows the core.
  const wsUrl = `${base.replace('http:', 'ws:')}/api/events`;
  assert.equal(await refusedWith(wsUrl, {}), 401);
  assert.equal(await refusedWith(wsUrl, { cookie, origin: 'https://evil.example' }), 403);
  const stream = new WebSocket(wsUrl, { headers: { cookie, origin: base } });
  const events: ControlEvent[] = [];
  stream.on('message', (data: Buffer) => events.push(JSON.parse(data.toString('utf8')) as ControlEvent));
  await once(stream, 'open');

  const restart = { name: 'echo', action: 'restart' };
  assert.equal((await api('/api/serverAction', { method: 'GET', headers: { cookie } })).status, 405);
  const formPost = await api('/api/serverAction', { method: 'POST', headers: { cookie }, body: 'name=echo' });
  assert.equal(formPost.status, 403, 'a plain form post');
  const foreign = await call('serverAction', restart, { origin: 'https://evil.example' });
  assert.equal(foreign.status, 403, 'a script from another origin');
  const running = async () => {
    const now = (await (await call('status')).json()) as { value: StatusView };
    const state = now.value.servers[0]!.state;
    return state.state === 'running' ? state : false;
  };
  const before = await waitUntil(running, 'echo running');
  const done = await call('serverAction', restart, { origin: base });
  assert.equal(done.status, 200, await done.clone().text());
  await waitUntil(
    async () => ((await running()) || { since: before['since'] })['since'] !== before['since'],
    'echo running again after the restart',
  );
  const unknown = await call('serverAction', { name: 'nope', action: 'restart' });
  assert.equal(unknown.status, 400);
  assert.match(((await unknown.json()) as { error: string }).error, /nope/);
  assert.equal((await call('noSuchCall')).status, 404);
  const notJson = await api('/api/status', { method: 'POST', headers: { cookie, [CSRF_HEADER]: '1' }, body: '{' });
  assert.equal(notJson.status, 400);
  assert.match(((await notJson.json()) as { error: string }).error, /status: the body is not JSON/);

  // A call made by an MCP client shows in the audit page, filtered by client; bad filters are named.
  const client = new Client({ name: 'cursor', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(serve.url), {
      requestInit: { headers: { authorization: `Bearer ${clientToken}` } },
    }),
  );
  await client.callTool({ name: 'echo__echo', arguments: { text: 'seen by the dashboard' } });
  await client.close();
  const page = (await (await call('audit', { client: 'cursor', tool: 'echo', limit: 5 })).json()) as {
    ok: true;
    value: AuditPageView;
  };
  assert.equal(page.value.events[0]?.method, 'tools/call');
  assert.equal(page.value.events[0]?.outcome, 'ok');
  const seen = await waitUntil(
    () => events.find((e) => e.type === 'audit' && e.record.client === 'cursor' && e.record.method === 'tools/call'),
    'the call on the event stream',
  );
  assert.equal(seen.type === 'audit' && seen.record.outcome, 'ok');
  assert.deepEqual(
    events.filter((e) => e.type === 'client-first-seen'),
    [{ type: 'client-first-seen', client: 'cursor' }],
    'the first connection of cursor is announced once',
  );
  const states = events.flatMap((e) => (e.type === 'server-state' && e.server === 'echo' ? [e.state.state] : []));
  assert.ok(states.includes('starting') && states.at(-1) === 'running', `echo's states: ${states.join(', ')}`);
  stream.close();

  const bad = await call('audit', { limit: 'ten', colour: 'red' });
  assert.equal(bad.status, 400);
  const refusal = (await bad.json()) as { error: string; problems: { path: string }[] };
  assert.match(refusal.error, /^audit: /);
  assert.deepEqual(refusal.problems.map((p) => p.path).sort(), ['', 'limit'], 'the bad field and the unknown one');
  assert.match(refusal.error, /colour/);
});
