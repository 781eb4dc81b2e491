// Security catalogue, section A: who may use the gateway (T1-T5, T49, T50). Each test runs its own core, because
// the failure throttle counts every 401 of a core and would turn later 401s into 429s.
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tokenListCommand } from '../../../main/cli/commands/token.ts';
import { controlSocketPath } from '../../../main/control/control-socket.ts';
import { TokenStore } from '../../../main/gateway/auth/token-store.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import {
  audit,
  echoCall,
  initializeBody,
  openSession,
  rpc,
  sleep,
  startCore,
  stillOpen,
  targetOf,
  toolCalls,
  within,
} from './mcp-session.ts';
import { jsonOf, openSse, rawRequest, rpcError, type RawResponse } from './raw-http.ts';

function assertUnauthorized(response: RawResponse, what: string): void {
  assert.equal(response.status, 401, `${what}: expected 401, got ${response.status} ${response.text}`);
  assert.match(String(response.headers['www-authenticate']), /^Bearer\b/, `${what}: WWW-Authenticate`);
  assert.equal(rpcError(response).code, -32001, `${what}: JSON-RPC error code`);
}

const METHODS = ['POST', 'GET', 'DELETE'] as const;
/** Only a guard against hanging: nothing but the revoke ends these streams (the hang call never answers). */
const ENDS_WITHIN_MS = 10_000;

test('T1 no Authorization header: 401 with WWW-Authenticate: Bearer, nothing forwarded, one audit record each', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const session = await openSession(target);
  const scoped = await openSession(target, { path: '/mcp/echo' });
  const callsBefore = toolCalls(h);
  const since = Date.now();

  for (const s of [session, scoped]) {
    for (const method of METHODS) {
      const response = await rawRequest(target, {
        method,
        path: s.path,
        headers: {
          authorization: undefined,
          'mcp-session-id': s.id,
          accept: method === 'GET' ? 'text/event-stream' : 'application/json, text/event-stream',
        },
        body:
          method === 'POST'
            ? JSON.stringify({
                jsonrpc: '2.0',
                id: 7,
                method: 'tools/call',
                params: echoCall('x', s === session ? 'echo__echo' : 'echo'),
              })
            : undefined,
      });
      assertUnauthorized(response, `${method} ${s.path}`);
    }
  }

  assert.equal(toolCalls(h), callsBefore, 'no tool call reached the upstream');
  const records = audit(h, { kind: 'auth', outcome: 'unauthenticated', since });
  assert.equal(records.length, 6, 'one audit record per refused request');
  const seen = records.map((r) => `${String(r.detail?.method)} ${String(r.detail?.path)} ${String(r.detail?.reason)}`);
  for (const s of [session, scoped]) {
    for (const method of METHODS)
      assert.ok(seen.includes(`${method} ${s.path} missing`), `audited: ${method} ${s.path}`);
  }
  // An unauthenticated DELETE did not end the sessions it named.
  for (const s of [session, scoped]) {
    const ping = await rpc(target, s, 'ping');
    assert.deepEqual(jsonOf(ping).result, {}, `${s.path} session still serves`);
  }
});

test('T2 wrong, revoked and expired tokens get 401; a revoke closes the session and its open streams', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);

  const [prefix, id, secret] = [h.token.slice(0, 3), h.token.slice(4, 20), h.token.slice(21)];
  const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
  const wrong = [`${prefix}_${id}_${flipped}`, `${prefix}_${'0'.repeat(16)}_${secret}`, 'sbt_not-a-token'];
  for (const token of wrong) {
    const response = await rawRequest(
      { ...target, token },
      { body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) },
    );
    assertUnauthorized(response, `token ${token.slice(0, 12)}…`);
  }

  // Expired: a token minted with a short life works, then stops working without anyone touching the file.
  const expiring = await h.core.tokens.create('short-lived', 'client', { expiresAt: new Date(Date.now() + 1_500) });
  assert.ok(expiring.ok);
  const shortTarget = { ...target, token: expiring.value.token };
  const shortSession = await openSession(shortTarget);
  await sleep(Math.max(0, Date.parse(expiring.value.info.expiresAt!) - Date.now()) + 50);
  assertUnauthorized(await rpc(shortTarget, shortSession, 'ping'), 'expired token');

  // Revoked from another process's view of tokens.json (what `switchboard token revoke` does).
  const doomedTarget = { ...target, token: await h.mintToken('doomed') };
  const session = await openSession(doomedTarget);
  const stream = await openSse(doomedTarget, { headers: { 'mcp-session-id': session.id } });
  assert.equal(stream.status, 200);
  const ended: string[] = [];
  void stream.ended.then(() => ended.push('GET stream'));
  const hanging = rpc(doomedTarget, session, 'tools/call', { name: 'echo__hang', arguments: {} }).finally(() =>
    ended.push('in-flight POST'),
  );
  await sleep(200);

  assert.deepEqual(ended, [], 'both were open until the revoke');
  const revoked = await new TokenStore(dataDirPaths(h.dataDir).tokens).revoke('doomed');
  assert.ok(revoked.ok, 'revoked through a second TokenStore on the same file');
  assertUnauthorized(await rpc(doomedTarget, session, 'ping'), 'the request right after the revoke');
  // Gone by the time that request was refused, not at some later sweep (every 60 s with these settings).
  assert.equal(h.core.status().sessions, 0, "the revoked session, and the expired token's with it, are closed");

  await within(stream.ended, ENDS_WITHIN_MS, 'the GET stream of the revoked token');
  await within(hanging, ENDS_WITHIN_MS, 'the in-flight POST response of the revoked token');

  // The valid client is unaffected.
  const fine = await openSession(target);
  assert.deepEqual(jsonOf(await rpc(target, fine, 'ping')).result, {});
  const reasons = audit(h, { kind: 'auth', outcome: 'unauthenticated' }).map((r) => r.detail?.reason);
  for (const reason of ['unknown', 'malformed', 'expired', 'revoked']) assert.ok(reasons.includes(reason), reason);
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

test('T3 tokens are stored only as salted digests: no raw token in the data directory, logs or token list', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const second = await h.mintToken('second-client');
  // Use both tokens, right and wrong, so every sink (audit, logs) has had its chance to keep one.
  const session = await openSession({ ...target, token: second });
  await rpc({ ...target, token: second }, session, 'tools/call', echoCall('hello'));
  await rawRequest({ ...target, token: h.token + 'x' }, { body: '{}' });
  await rawRequest(target, { path: `/mcp?access_token=${second}`, headers: { authorization: undefined }, body: '{}' });
  h.core.audit.flush();

  const needles = [h.token, second].flatMap((token) => {
    const secret = token.slice(21);
    return [
      token,
      secret,
      Buffer.from(secret, 'base64url').toString('base64'),
      Buffer.from(secret, 'base64url').toString('hex'),
    ];
  });
  const files = await filesUnder(h.dataDir);
  assert.ok(files.some((f) => f.endsWith('tokens.json')) && files.some((f) => f.endsWith('audit.db')));
  for (const file of files) {
    // A temporary file of an atomic write (a list cache, the tool pins) can be renamed away between listing and
    // reading; what it held is then in the file it became, which is read too.
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && /\.tmp$/.test(file)) return Buffer.alloc(0);
      throw error;
    });
    for (const needle of needles) {
      assert.equal(bytes.indexOf(needle), -1, `${file} holds a raw token or secret`);
    }
  }
  const logs = h.logLines.join('\n');
  for (const needle of needles) assert.ok(!logs.includes(needle), 'the gateway log holds a raw token');

  const tokensFile = dataDirPaths(h.dataDir).tokens;
  assert.equal((await stat(tokensFile)).mode & 0o777, 0o600, 'tokens.json is private to its owner');
  const stored = JSON.parse(await readFile(tokensFile, 'utf8')) as { tokens: { salt: string; digest: string }[] };
  assert.equal(stored.tokens.length, 2);
  assert.notEqual(stored.tokens[0]!.salt, stored.tokens[1]!.salt, 'each token has its own salt');
  for (const record of stored.tokens) assert.equal(Buffer.from(record.digest, 'base64').length, 32);

  for (const json of [false, true]) {
    let printed = '';
    const io = { out: (s: string) => (printed += s), err: (s: string) => (printed += s), env: {} };
    const code = await tokenListCommand.run(
      { values: {}, positionals: [], rest: [] },
      { dataDir: h.dataDir, json },
      io,
    );
    assert.equal(code, 0);
    assert.match(printed, /second-client/);
    for (const needle of needles)
      assert.ok(!printed.includes(needle), `token list${json ? ' --json' : ''} printed a token`);
    for (const record of stored.tokens) {
      assert.ok(!printed.includes(record.digest) && !printed.includes(record.salt), 'token list printed a digest');
    }
  }
});

test('T4 a client token does not reach the control API, and a control token does not reach /mcp', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);

  // The CLI's control channel is not on the gateway port at all: it is a Unix socket only the data directory's
  // owner opens. The dashboard's form of the control API is (`/api/…`), behind the dashboard's own token.
  for (const [method, path] of [
    ['GET', '/status'],
    ['POST', '/servers/echo/stop'],
  ] as const) {
    const response = await rawRequest(target, { method, path, body: method === 'POST' ? '{}' : undefined });
    assert.ok([401, 403, 404].includes(response.status), `${method} ${path}: got ${response.status}`);
    rpcError(response);
  }
  for (const [method, path] of [
    ['POST', '/api/status'],
    ['POST', '/api/serverAction'],
    ['POST', '/api/setSecret'],
  ] as const) {
    const response = await rawRequest(target, {
      method,
      path,
      body: path === '/api/serverAction' ? '{"name":"echo","action":"stop"}' : '{}',
      headers: { 'x-switchboard-request': '1' },
    });
    assert.equal(response.status, 401, `${method} ${path} with a client token`);
    assert.match(response.text, /"ok":false,"error":"Unauthorized/);
  }
  assert.equal(h.core.supervisor.get('echo')?.state.state, 'running', 'no control action ran');
  const socket = controlSocketPath(h.dataDir);
  const socketStat = await stat(socket);
  assert.ok(socketStat.isSocket(), 'the control API is a Unix socket');
  assert.equal(socketStat.mode & 0o077, 0, 'the control socket is closed to other users');

  const control = await h.core.tokens.create('dashboard', 'control');
  assert.ok(control.ok);
  const controlTarget = { ...target, token: control.value.token };
  for (const path of ['/mcp', '/mcp/echo']) {
    assertUnauthorized(
      await rawRequest(controlTarget, { path, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) }),
      path,
    );
  }
  const wrongKind = audit(h, { kind: 'auth', outcome: 'unauthenticated' }).filter(
    (r) => r.detail?.reason === 'wrong-kind',
  );
  assert.equal(wrongKind.length, 2);
  assert.equal(h.core.status().sessions, 0);
});

test('T5 session hijack: another client presenting a session id gets 404 on POST, GET and DELETE', async (t) => {
  const h = await startCore(t);
  const a = targetOf(h);
  const b = { ...a, token: await h.mintToken('client-b') };
  const session = await openSession(a);
  const aStream = await openSse(a, { headers: { 'mcp-session-id': session.id } });
  assert.equal(aStream.status, 200);
  const callsBefore = toolCalls(h);

  const post = await rpc(b, session, 'tools/call', echoCall('stolen'));
  assert.equal(post.status, 404, post.text);
  assert.ok(!post.text.includes('stolen'));
  const get = await openSse(b, { headers: { 'mcp-session-id': session.id } });
  assert.equal(get.status, 404);
  await get.ended;
  const del = await rawRequest(b, { method: 'DELETE', headers: { 'mcp-session-id': session.id } });
  assert.equal(del.status, 404);
  for (const response of [post, del]) assert.equal(rpcError(response).code, -32600);

  assert.equal(toolCalls(h), callsBefore, "B's call was not forwarded");
  const ok = await rpc(a, session, 'tools/call', echoCall('mine'));
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual((jsonOf(ok).result as { content: unknown }).content, [{ type: 'text', text: 'mine' }]);
  assert.ok(!aStream.events.length || aStream.events.every((e) => !e.data.includes('stolen')));
  assert.ok(await stillOpen(aStream.ended, 100), "A's GET stream is still open");
  aStream.close();

  const mismatches = audit(h, { kind: 'session', outcome: 'session-mismatch' });
  assert.equal(mismatches.length, 3, 'each attempt is audited');
  for (const record of mismatches) {
    assert.equal(record.client, 'client-b');
    assert.equal(record.sessionId, session.id);
    assert.equal(record.detail?.owner, 'test-client');
  }
  assert.deepEqual(mismatches.map((r) => r.detail?.method).sort(), ['DELETE', 'GET', 'POST']);
});

test('T49 the token is read only from Authorization: Bearer (not the query string, a cookie or Basic)', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const body = initializeBody();
  const attempts: [string, { path?: string; headers: Record<string, string | undefined> }][] = [
    [
      'query access_token',
      { path: `/mcp?access_token=${encodeURIComponent(h.token)}`, headers: { authorization: undefined } },
    ],
    ['query token', { path: `/mcp?token=${encodeURIComponent(h.token)}`, headers: { authorization: undefined } }],
    ['cookie', { headers: { authorization: undefined, cookie: `access_token=${h.token}; token=${h.token}` } }],
    ['Basic', { headers: { authorization: `Basic ${Buffer.from(`x:${h.token}`).toString('base64')}` } }],
    ['Basic with the raw token', { headers: { authorization: `Basic ${h.token}` } }],
    ['no scheme', { headers: { authorization: h.token } }],
  ];
  for (const [what, options] of attempts) assertUnauthorized(await rawRequest(target, { ...options, body }), what);
  assert.equal(h.core.status().sessions, 0, 'no session was opened');
  const bearer = await rawRequest(target, { body });
  assert.equal(bearer.status, 200, 'the same token as Bearer works');
});

test('T50 no accidental OAuth: the 401 names no resource_metadata and OAuth discovery finds nothing', async (t) => {
  const h = await startCore(t);
  const target = targetOf(h);
  const refused = await rawRequest({ ...target, token: 'sbt_wrong' }, { body: initializeBody() });
  assertUnauthorized(refused, 'wrong token');
  assert.doesNotMatch(String(refused.headers['www-authenticate']), /resource_metadata|authorization_uri|scope=/i);

  for (const path of [
    '/.well-known/oauth-protected-resource',
    '/.well-known/oauth-protected-resource/mcp',
    '/.well-known/oauth-authorization-server',
    '/.well-known/oauth-authorization-server/mcp',
    '/.well-known/openid-configuration',
    '/mcp/.well-known/oauth-protected-resource',
    '/register',
    '/authorize',
    '/token',
  ]) {
    for (const token of [h.token, 'none']) {
      const response = await rawRequest(
        { ...target, token },
        { method: 'GET', path, headers: token === 'none' ? { authorization: undefined } : {} },
      );
      assert.equal(response.status, 404, `${path}: ${response.status}`);
      assert.equal(response.headers['www-authenticate'], undefined, `${path} starts no auth flow`);
    }
  }
});
