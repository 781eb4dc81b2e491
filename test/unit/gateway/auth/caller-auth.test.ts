// Who is calling a shared gateway: real jose-signed JWTs checked against a key set served on 127.0.0.1, and a
// stand-in for the team server's `GET /members/me` on 127.0.0.1. The stand-in is a few lines here because the real
// team server is built alongside this change (main/team-server/); it answers as that route is specified
// (`{member, admin}` or 401). Local client tokens keep working beside both.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { UnsecuredJWT, exportSPKI, type CryptoKey } from 'jose';
import { createHmac } from 'node:crypto';
import { gatewayAuthSchema } from '../../../../main/config/gateway-auth-schema.ts';
import { CallerAuth, type CallerVerdict } from '../../../../main/gateway/auth/caller-auth.ts';
import { REFUSAL_TTL_MS, TeamMemberCheck } from '../../../../main/gateway/auth/team-member-check.ts';
import { TokenStore } from '../../../../main/gateway/auth/token-store.ts';
import { AUDIENCE, ISSUER, serveLocal as serve, startIssuer as issuer } from '../../../helpers/jwt-issuer.ts';
import { makeTempDir } from '../../../helpers/temp-dir.ts';

async function tokens(t: TestContext): Promise<TokenStore> {
  const store = new TokenStore(join(await makeTempDir(t), 'tokens.json'));
  t.after(() => store.close());
  return store;
}

function authWith(store: TokenStore, config: unknown): CallerAuth {
  return new CallerAuth({ tokens: store, config: gatewayAuthSchema.parse(config) });
}

function refusal(verdict: CallerVerdict): { status: number; reason: string } {
  assert.equal(verdict.ok, false, 'expected a refusal');
  return verdict.ok ? { status: 200, reason: '' } : { status: verdict.status, reason: verdict.reason };
}

test('a JWT of the issuer names the member (sub) and the client (client_id, else azp, or the configured claim)', async (t) => {
  const idp = await issuer(t);
  const store = await tokens(t);
  const auth = authWith(store, { jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: idp.jwksUrl } });
  const first = await auth.authenticate(await idp.sign({ sub: 'alice@example.com', client_id: 'cursor' }));
  assert.ok(first.ok);
  assert.equal(first.caller.member, 'alice@example.com');
  assert.equal(first.caller.client, 'cursor');
  assert.match(first.caller.tokenId, /^ext:[0-9a-f]{32}$/);
  assert.ok(store.isActive(first.caller.tokenId), 'an external caller is checked per request, not by the store');

  const azp = await auth.authenticate(await idp.sign({ sub: 'bob', azp: 'claude' }));
  assert.ok(azp.ok);
  assert.equal(azp.caller.client, 'claude');
  assert.notEqual(azp.caller.tokenId, first.caller.tokenId);
  assert.match(refusal(await auth.authenticate(await idp.sign({ sub: 'bob' }))).reason, /^jwt-no-client/);
  assert.match(refusal(await auth.authenticate(await idp.sign({ client_id: 'x' }))).reason, /^jwt-no-member/);

  const custom = authWith(store, {
    jwt: { issuer: ISSUER, audience: [AUDIENCE], jwksUrl: idp.jwksUrl, memberClaim: 'email', clientClaim: 'app' },
  });
  const named = await custom.authenticate(await idp.sign({ sub: '42', email: 'carol@example.com', app: 'vscode' }));
  assert.ok(named.ok);
  assert.deepEqual([named.caller.member, named.caller.client], ['carol@example.com', 'vscode']);
});

test('JWTs refused with 401: expired, wrong audience, wrong issuer, alg none, HS256 keyed with the public key, unknown kid', async (t) => {
  const idp = await issuer(t);
  const auth = authWith(await tokens(t), { jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: idp.jwksUrl } });
  const claims = { sub: 'alice', client_id: 'cursor' };
  const past = Math.floor(Date.now() / 1000) - 120;
  const cases: [string, string, RegExp][] = [
    ['expired', await idp.sign(claims, { exp: past }), /^jwt-expired/],
    ['wrong audience', await idp.sign(claims, { aud: 'someone-else' }), /^jwt-claim: the "aud" claim/],
    ['wrong issuer', await idp.sign(claims, { iss: 'https://evil.example' }), /^jwt-claim: the "iss" claim/],
    [
      'alg none',
      new UnsecuredJWT(claims).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').encode(),
      /^jwt-/,
    ],
    ['HS256 with the public key as its secret', await hs256WithPublicKey(idp.publicKey, claims), /^jwt-algorithm/],
    ['unknown kid', await idp.sign(claims, { kid: 'rotated-away' }), /^jwt-key/],
    ['a tampered payload', tamper(await idp.sign(claims)), /^jwt-(signature|invalid)/],
  ];
  for (const [name, token, reason] of cases) {
    const verdict = refusal(await auth.authenticate(token));
    assert.equal(verdict.status, 401, name);
    assert.match(verdict.reason, reason, name);
  }
});

/** The classic key confusion: an HMAC "signed" with the issuer's public key, which anyone can fetch. */
async function hs256WithPublicKey(publicKey: CryptoKey, claims: Record<string, unknown>): Promise<string> {
  const pem = await exportSPKI(publicKey);
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'HS256', kid: 'ed-1' })}.${encode({ ...claims, iss: ISSUER, aud: AUDIENCE, exp: now + 300 })}`;
  return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
}

function tamper(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  const changed = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url');
  return `${header}.${changed}.${signature}`;
}

test('a key set out of reach, or too large, is 503 naming it, never an admission', async (t) => {
  const idp = await issuer(t);
  const token = await idp.sign({ sub: 'alice', client_id: 'cursor' });
  const broken = await serve(t, (_req, res) => res.writeHead(500).end('down'));
  const huge = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [], padding: 'x'.repeat(300 * 1024) }));
  });
  for (const jwksUrl of [`${broken.url}/jwks`, `${huge.url}/jwks`, 'http://127.0.0.1:1/jwks']) {
    const auth = authWith(await tokens(t), { jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl } });
    const verdict = refusal(await auth.authenticate(token));
    assert.equal(verdict.status, 503, jwksUrl);
    assert.ok(verdict.reason.includes(jwksUrl), verdict.reason);
  }
});

test('local client tokens keep working beside a JWT issuer and a team server, and are judged locally only', async (t) => {
  const team = await serve(t, (_req, res) => res.writeHead(401).end());
  const store = await tokens(t);
  const created = await store.create('cursor');
  assert.ok(created.ok);
  const auth = authWith(store, {
    jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: `${team.url}/jwks` },
    teamServer: { url: team.url },
  });
  const verdict = await auth.authenticate(created.value.token);
  assert.ok(verdict.ok);
  assert.deepEqual([verdict.caller.client, verdict.caller.member], ['cursor', null]);
  const unknown = `sbt_${'0'.repeat(16)}_${'A'.repeat(43)}`;
  assert.equal(refusal(await auth.authenticate(unknown)).reason, 'unknown');
  assert.equal(refusal(await auth.authenticate(null)).reason, 'missing');
  assert.equal(team.hits(), 0, 'neither the key set nor the team server was asked about a local token');
});

test('team server members: /members/me names the member; refusals are 401, its failures 503 naming it', async (t) => {
  let status = 200;
  let body = '';
  const team = await serve(t, (req, res) => {
    if (req.url !== '/members/me') return void res.writeHead(404).end();
    if (req.headers.authorization === 'Bearer sbm_alice') {
      res.writeHead(status, { 'content-type': 'application/json' });
      return void res.end(body || JSON.stringify({ member: 'alice', admin: false }));
    }
    res.writeHead(401).end('{"error":"unknown token"}');
  });
  const auth = authWith(await tokens(t), { teamServer: { url: `${team.url}/` } });
  const admitted = await auth.authenticate('sbm_alice');
  assert.ok(admitted.ok);
  assert.deepEqual([admitted.caller.member, admitted.caller.client], ['alice', 'team']);
  const refused = refusal(await auth.authenticate('sbm_mallory'));
  assert.equal(refused.status, 401);
  assert.match(refused.reason, /^team-token/);

  for (const [answer, text] of [
    [500, ''],
    [200, 'not json'],
    [200, '{"who":"alice"}'],
  ] as const) {
    status = answer;
    body = text;
    const fresh = authWith(await tokens(t), { teamServer: { url: team.url } });
    const verdict = refusal(await fresh.authenticate('sbm_alice'));
    assert.equal(verdict.status, 503, `${answer} ${text}`);
    assert.ok(verdict.reason.includes(`${team.url}/members/me`), verdict.reason);
  }
  const down = authWith(await tokens(t), { teamServer: { url: 'http://127.0.0.1:1' } });
  assert.equal(refusal(await down.authenticate('sbm_alice')).status, 503);
});

test('team server answers are cached: members up to a minute, refusals ten seconds, failures not at all', async (t) => {
  let now = 1_000_000;
  let failing = false;
  const team = await serve(t, (req, res) => {
    if (failing) return void res.writeHead(502).end();
    if (req.headers.authorization === 'Bearer sbm_alice') {
      return void res.writeHead(200).end(JSON.stringify({ member: 'alice', admin: true }));
    }
    res.writeHead(401).end();
  });
  const check = new TeamMemberCheck({ url: team.url, now: () => now });
  assert.deepEqual(await check.check('sbm_alice'), { ok: true, member: 'alice', admin: true });
  assert.equal((await check.check('sbm_nobody')).ok, false);
  assert.equal(team.hits(), 2);
  now += REFUSAL_TTL_MS - 1;
  await check.check('sbm_alice');
  await check.check('sbm_nobody');
  assert.equal(team.hits(), 2, 'both answered from the cache');
  now += 2;
  await check.check('sbm_nobody');
  assert.equal(team.hits(), 3, 'a refusal is asked again after ten seconds');
  now += 60_000;
  failing = true;
  assert.equal((await check.check('sbm_alice')).ok, false, 'after a minute the member is asked again');
  assert.equal((await check.check('sbm_alice')).ok, false);
  assert.equal(team.hits(), 5, 'a failure is never cached');
});

test('gateway.auth in config.json: asymmetric algorithms only, https or this machine, strict', () => {
  const base = { issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'https://id.example.test/jwks' };
  const parsed = gatewayAuthSchema.parse({ jwt: base });
  assert.deepEqual(parsed.jwt?.algorithms, ['EdDSA', 'RS256', 'ES256']);
  assert.equal(parsed.jwt?.memberClaim, 'sub');
  for (const alg of ['none', 'HS256', 'HS512']) {
    const result = gatewayAuthSchema.safeParse({ jwt: { ...base, algorithms: [alg] } });
    assert.equal(result.success, false, alg);
    assert.match(result.error!.issues[0]!.message, /"none" and HS256\/HS384\/HS512 are refused/);
  }
  const plain = gatewayAuthSchema.safeParse({ jwt: { ...base, jwksUrl: 'http://id.example.test/jwks' } });
  assert.match(plain.error!.issues[0]!.message, /http:\/\/ is allowed only to this machine/);
  const typo = gatewayAuthSchema.safeParse({ teamServer: { url: 'https://team.example.test', clientName: 'x' } });
  assert.equal(typo.success, false, 'unknown keys are refused');
});
