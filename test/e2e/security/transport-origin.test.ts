// Security catalogue, section B: where requests may come from (T8 DNS rebinding, T9 Host, T10 loopback binding,
// T53 CORS).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';
import { test } from 'node:test';
import { NODE, fixtureServer, startHarness } from '../../helpers/gateway-harness.ts';
import { echoCall, initializeBody, openSession, rpc, startCore, targetOf, toolCalls } from './mcp-session.ts';
import {
  defaultHeaders,
  hasAccessControlHeader,
  jsonOf,
  rawRequest,
  rpcError,
  type RawResponse,
  type Target,
} from './raw-http.ts';

/** Sends only the headers of a POST that announces a large body, and waits for an answer without sending it. */
function headersOnly(target: Target, path: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: target.port,
      method: 'POST',
      path,
      headers: { ...defaultHeaders(target), 'content-length': '1000000', ...headers },
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(new Error('no answer before the body was sent')), 5_000);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() });
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.flushHeaders();
  });
}

function assertForbidden(response: RawResponse, what: string): void {
  assert.equal(response.status, 403, `${what}: got ${response.status} ${response.text}`);
  const body = jsonOf(response);
  assert.equal(rpcError(response).code, -32001, what);
  assert.ok(!('id' in body), `${what}: the error body has no id`);
  assert.ok(!hasAccessControlHeader(response.headers), `${what}: no CORS header`);
}

const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'modern', version: '1.0.0' },
};

test('T8 DNS rebinding: a foreign Origin gets 403 on every method and path, before the body is read', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const sessions = { '/mcp': await openSession(target), '/mcp/echo': await openSession(target, { path: '/mcp/echo' }) };
  const callsBefore = toolCalls(h);
  const sessionsBefore = h.core.status().sessions;
  const port = target.port;

  for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${port + 1}`, `https://127.0.0.1:${port}`]) {
    for (const [path, session] of Object.entries(sessions)) {
      const tool = path === '/mcp' ? 'echo__echo' : 'echo';
      const legacyCall = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: echoCall('x', tool) });
      const modernCall = JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { ...echoCall('x', tool), _meta: MODERN_META },
      });
      const withSession = { origin, 'mcp-session-id': session.id, 'mcp-protocol-version': session.protocolVersion };
      const what = `${origin} ${path}`;
      assertForbidden(await rawRequest(target, { path, headers: withSession, body: legacyCall }), `POST ${what}`);
      assertForbidden(await rawRequest(target, { path, headers: { origin }, body: initializeBody() }), `init ${what}`);
      assertForbidden(
        await rawRequest(target, {
          path,
          headers: { origin, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': tool },
          body: modernCall,
        }),
        `modern POST ${what}`,
      );
      assertForbidden(await headersOnly(target, path, withSession), `POST ${what} with its body never sent`);
      assertForbidden(
        await rawRequest(target, { method: 'GET', path, headers: { ...withSession, accept: 'text/event-stream' } }),
        `GET ${what}`,
      );
      assertForbidden(await rawRequest(target, { method: 'DELETE', path, headers: withSession }), `DELETE ${what}`);
    }
  }
  assert.equal(toolCalls(h), callsBefore, 'nothing was forwarded');
  assert.equal(h.core.status().sessions, sessionsBefore, 'no session was opened or closed');

  // Without Origin (any non-browser client) and with the gateway's own origin, the same requests are served.
  for (const [path, session] of Object.entries(sessions)) {
    for (const origin of [undefined, `http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const tool = path === '/mcp' ? 'echo__echo' : 'echo';
      const served = await rpc(target, session, 'tools/call', echoCall('fine', tool), { headers: { origin } });
      assert.equal(served.status, 200, `${origin ?? 'no Origin'} ${path}: ${served.text}`);
    }
  }
  assert.equal(toolCalls(h), callsBefore + 6);
});

test('T9 a Host other than the loopback names with the bound port gets 403', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const port = target.port;
  for (const host of [
    `evil.example:${port}`,
    `127.0.0.1:${port + 1}`,
    'evil.example',
    '127.0.0.1',
    `10.0.0.1:${port}`,
  ]) {
    const refused = await rawRequest(target, { headers: { host }, body: initializeBody() });
    assertForbidden(refused, `Host: ${host}`);
    const get = await rawRequest(target, { method: 'GET', path: '/healthz', headers: { host } });
    assert.equal(get.status, 403, `GET /healthz with Host: ${host}`);
  }
  assert.equal(h.core.status().sessions, 0);
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
    const served = await rawRequest(target, { headers: { host }, body: initializeBody() });
    assert.equal(served.status, 200, `Host: ${host}: ${served.text}`);
  }
});

/** TCP sockets this process listens on, as `address:port`, from `ss` or else /proc. */
function listeningSockets(): string[] {
  try {
    const out = execFileSync('ss', ['-Hltnp'], { encoding: 'utf8' });
    return out
      .split('\n')
      .filter((line) => line.includes(`pid=${process.pid},`))
      .map((line) => line.trim().split(/\s+/)[3]!);
  } catch {
    return listeningFromProc();
  }
}

function listeningFromProc(): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // The fd closed while listing.
    }
  }
  const found: string[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9]!)) continue;
      const [hex, portHex] = cols[1]!.split(':') as [string, string];
      const address = v6
        ? `[${hex}]`
        : (hex.match(/../g) ?? [])
            .reverse()
            .map((b) => parseInt(b, 16))
            .join('.');
      found.push(`${address}:${parseInt(portHex, 16)}`);
    }
  }
  return found;
}

test('T10 the gateway listens on 127.0.0.1:PORT only; another address needs a setting and logs a TLS warning', async (t) => {
  const h = await startCore(t);
  const port = targetOf(h).port;
  assert.deepEqual(listeningSockets(), [`127.0.0.1:${port}`]);
  assert.deepEqual(listeningFromProc(), [`127.0.0.1:${port}`], 'the same seen through /proc');
  assert.ok(!h.logLines.some((l) => l.includes('TLS')), 'no warning on loopback');

  // 127.0.0.2 is loopback to the kernel but not one of the gateway's loopback names: it stands for any other
  // address without exposing this machine while the test runs.
  const other = await startHarness({
    gateway: { host: '127.0.0.2' },
    servers: { echo: fixtureServer('echo', { command: NODE }) },
  });
  t.after(() => other.close());
  const otherPort = Number(new URL(other.url).port);
  assert.deepEqual(listeningSockets().sort(), [`127.0.0.1:${port}`, `127.0.0.2:${otherPort}`].sort());
  const warning = other.logLines.find((l) => l.includes('beyond loopback'));
  assert.ok(warning, 'binding beyond loopback is logged');
  assert.match(warning, /TLS/);
});

test('T53 CORS stays closed: no Access-Control-Allow-* on a preflight or any other answer', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const port = target.port;
  const responses: [string, RawResponse][] = [];
  for (const origin of ['http://evil.example', `http://127.0.0.1:${port}`]) {
    const preflight = await rawRequest(target, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, mcp-session-id',
        authorization: undefined,
        'content-type': undefined,
      },
    });
    responses.push([`OPTIONS from ${origin}`, preflight]);
    assert.ok([401, 403, 405].includes(preflight.status), `OPTIONS from ${origin}: ${preflight.status}`);
  }
  assert.equal(responses[0]![1].status, 403);
  const optionsWithToken = await rawRequest(target, {
    method: 'OPTIONS',
    headers: { origin: `http://127.0.0.1:${port}` },
  });
  assert.equal(optionsWithToken.status, 405);
  responses.push(['OPTIONS with a token', optionsWithToken]);
  responses.push([
    'initialize',
    await rawRequest(target, { headers: { origin: `http://127.0.0.1:${port}` }, body: initializeBody() }),
  ]);
  responses.push([
    'evil initialize',
    await rawRequest(target, { headers: { origin: 'http://evil.example' }, body: initializeBody() }),
  ]);
  responses.push([
    'healthz',
    await rawRequest(target, { method: 'GET', path: '/healthz', headers: { origin: 'http://evil.example' } }),
  ]);
  responses.push([
    '404',
    await rawRequest(target, { method: 'GET', path: '/nowhere', headers: { origin: 'http://evil.example' } }),
  ]);
  for (const [what, response] of responses) {
    assert.ok(!hasAccessControlHeader(response.headers), `${what}: ${JSON.stringify(response.headers)}`);
  }
});
