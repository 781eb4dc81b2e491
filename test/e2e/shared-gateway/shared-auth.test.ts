// A core bound beyond loopback for many people: 127.0.0.2 stands for a pod's address (loopback to the kernel, not one
// of the gateway's loopback names), a JWT issuer and a team server on 127.0.0.1 say who is calling. The team server
// is a stand-in answering `GET /members/me` as specified (`{member, admin}` or 401): the real one is built alongside
// this change (main/team-server/). Every request still needs a bearer; Host must be an address or a public name;
// every audit record of a session names its member; a member never reaches another member's session.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import type { AuditEvent } from '../../../main/audit/audit-event.ts';
import { gatewayFixtureServer, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { AUDIENCE, ISSUER, serveLocal, startIssuer, type TestIssuer } from '../../helpers/jwt-issuer.ts';

const PUBLIC_HOST = 'mcp.example.test';
let h: Harness;
let idp: TestIssuer;
let teamUp = true;
const cleanups: (() => unknown)[] = [];
const scope = { after: (fn: () => unknown) => void cleanups.push(fn) };

before(async () => {
  idp = await startIssuer(scope);
  const team = await serveLocal(scope, (req, res) => {
    if (!teamUp) return void res.writeHead(502).end();
    if (req.url === '/members/me' && req.headers.authorization === 'Bearer sbm_bob_token') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"member":"bob","admin":false}');
    }
    res.writeHead(401).end();
  });
  h = await startHarness({
    gateway: {
      host: '127.0.0.2',
      publicHosts: [PUBLIC_HOST],
      auth: {
        jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: idp.jwksUrl },
        teamServer: { url: team.url },
      },
    },
    servers: { fx: gatewayFixtureServer('tools') },
  });
});

after(async () => {
  await h.close();
  for (const cleanup of cleanups) await cleanup();
});

/** A raw POST to the gateway's address with the given Host, Origin and bearer. */
function post(headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const url = new URL(h.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/mcp',
        headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...headers },
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    );
  });
}

function records(filter: { member?: string; outcome?: AuditEvent['outcome'] }): AuditEvent[] {
  return h.core.audit.query({ ...filter, limit: 1000 }).events;
}

test('T10 beyond loopback every request still needs a bearer, and Host must be an address or gateway.publicHosts', async () => {
  const port = new URL(h.url).port;
  assert.equal((await post({ host: PUBLIC_HOST })).status, 401, 'a public name without a token');
  assert.equal((await post({ host: `127.0.0.2:${port}` })).status, 401, 'the address without a token');
  const jwt = await idp.sign({ sub: 'alice', client_id: 'ide' });
  const rebound = await post({ host: `rebound.evil.test:${port}`, authorization: `Bearer ${jwt}` });
  assert.equal(rebound.status, 403, 'a DNS name the gateway was not told of (DNS rebinding)');
  assert.match(rebound.text, /is not this gateway/);
  const browser = await post({ host: PUBLIC_HOST, origin: `https://${PUBLIC_HOST}`, authorization: `Bearer ${jwt}` });
  assert.equal(browser.status, 200, browser.text);
  const foreign = await post({ host: PUBLIC_HOST, origin: 'https://evil.test', authorization: `Bearer ${jwt}` });
  assert.equal(foreign.status, 403);
});

test('a JWT member and a team server member: every record of their sessions names them, with their client', async () => {
  const alice = await h.connect({ token: await idp.sign({ sub: 'alice', client_id: 'ide' }), name: 'alice-ide' });
  await alice.callTool({ name: 'fx__echo', arguments: { text: 'from alice' } });
  await alice.listTools();
  const bob = await h.connect({ token: 'sbm_bob_token', name: 'bob-ide' });
  await bob.callTool({ name: 'fx__echo', arguments: { text: 'from bob' } });

  const ofAlice = records({ member: 'alice' });
  assert.ok(ofAlice.some((e) => e.method === 'session-opened' && e.client === 'ide'));
  const call = ofAlice.find((e) => e.method === 'tools/call');
  assert.equal(call?.client, 'ide');
  assert.match(call?.arguments ?? '', /from alice/);
  const ofBob = records({ member: 'bob' });
  assert.ok(
    ofBob.some((e) => e.method === 'tools/call' && e.client === 'team'),
    'the team server client name',
  );
  assert.ok(!ofBob.some((e) => (e.arguments ?? '').includes('from alice')));
  // The local token of the harness is still a desktop's: no member.
  const local = await h.connect();
  await local.callTool({ name: 'fx__echo', arguments: { text: 'local' } });
  const localCall = records({}).find((e) => e.method === 'tools/call' && (e.arguments ?? '').includes('local'));
  assert.equal(localCall?.member, null);
  assert.equal(localCall?.client, 'test-client');
});

test("T5 a member never reaches another member's session, even under the same client name", async () => {
  const alice = await idp.sign({ sub: 'alice', client_id: 'ide' });
  const carol = await idp.sign({ sub: 'carol', client_id: 'ide' });
  const opened = await post({ host: PUBLIC_HOST, authorization: `Bearer ${alice}` });
  assert.equal(opened.status, 200);
  const sessions = records({ member: 'alice' }).filter((e) => e.method === 'session-opened');
  const sessionId = sessions[0]!.sessionId!;
  const stolen = await post({ host: PUBLIC_HOST, authorization: `Bearer ${carol}`, 'mcp-session-id': sessionId });
  assert.equal(stolen.status, 404);
  const mismatch = records({ member: 'carol', outcome: 'session-mismatch' });
  assert.equal(mismatch[0]?.sessionId, sessionId);
});

test('refusals: a bad JWT is 401 audited with its reason; a team server that cannot answer is 503 naming it', async () => {
  const expired = await idp.sign({ sub: 'alice', client_id: 'ide' }, { exp: Math.floor(Date.now() / 1000) - 600 });
  assert.equal((await post({ host: PUBLIC_HOST, authorization: `Bearer ${expired}` })).status, 401);
  const refused = records({ outcome: 'unauthenticated' }).find(
    (e) => e.detail?.['reason'] === 'jwt-expired: the token has expired',
  );
  assert.ok(refused, 'the 401 is audited with its reason');

  teamUp = false;
  try {
    const down = await post({ host: PUBLIC_HOST, authorization: 'Bearer sbm_someone_new' });
    assert.equal(down.status, 503);
    assert.match(down.text, /team server at http:\/\/127\.0\.0\.1:\d+\/members\/me answered 502/);
    assert.ok(records({ outcome: 'unavailable' }).some((e) => e.kind === 'auth'));
  } finally {
    teamUp = true;
  }
});
