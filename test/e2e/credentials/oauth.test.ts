// OAuth toward remote servers, end to end against a real authorization server (test/fixtures/oauth-server.ts):
// `serve` blocks a server that asks for a login without opening anything; `server login` runs the browser flow
// (the test plays the browser), stores tokens in the vault and gets the gateway to reconnect; tokens are
// refreshed before they expire; an authorization server that fails a check is refused before anything is sent
// to it (T34, T70), a wrong answer is never redeemed, and a new authorization server gets a registration of its
// own and none of the old credentials (T71).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../../main/cli/cli.ts';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { PASSPHRASE_ENV } from '../../../main/vault/file-vault.ts';
import { startOAuthFixture, type OAuthFixture, type OAuthFixtureOptions } from '../../fixtures/oauth-server.ts';
import { startHarness } from '../../helpers/gateway-harness.ts';
import { waitUntil } from '../gateway/support.ts';
import { filesHolding } from './support.ts';

before(() => {
  process.env[PASSPHRASE_ENV] = 'oauth-test-passphrase';
});
after(() => {
  delete process.env[PASSPHRASE_ENV];
});

interface Login {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** The authorization page the CLI asked the person to open. */
  readonly page: URL | null;
}

/**
 * Runs `server login` and plays the browser: opens the page it prints (GET, redirect not followed) and delivers
 * the authorization server's answer to the loopback listener, as a browser would follow the 302.
 */
async function login(dataDir: string, server: string, extra: string[] = []): Promise<Login> {
  let out = '';
  let err = '';
  let page: URL | null = null;
  let browsing: Promise<void> | null = null;
  const browse = async (url: URL): Promise<void> => {
    const answer = await fetch(url, { redirect: 'manual' });
    const location = answer.headers.get('location');
    if (location !== null) await fetch(new URL(location, url)).then((r) => r.text());
  };
  const code = await runCli(['server', 'login', server, '--no-browser', '--data-dir', dataDir, ...extra], {
    out: (s) => (out += s),
    err: (s) => {
      err += s;
      const match = /^ {2}(http\S+)$/m.exec(err);
      if (match !== null && page === null) {
        page = new URL(match[1]!);
        browsing = browse(page);
      }
    },
    env: process.env,
  });
  await browsing;
  return { code, out, err, page };
}

async function dataDirFor(fixture: OAuthFixture): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-oauth-'));
  const written = await writeConfig(dataDirPaths(dir).config, {
    vault: 'file',
    servers: { far: { url: fixture.url } },
  });
  assert.ok(written.ok);
  return dir;
}

const paths = (fixture: OAuthFixture, since = 0): string[] => fixture.requests.slice(since).map((r) => r.path);

test('T34 serve blocks without opening anything; login signs in with PKCE S256 and the resource; the gateway reconnects', async () => {
  const fixture = await startOAuthFixture({});
  const h = await startHarness({ vault: 'file', servers: { far: { url: fixture.url } } });
  try {
    const blocked = await h.waitForState('far', (s) => s.state === 'blocked');
    assert.ok(blocked.state === 'blocked' && blocked.reason === 'login-required');
    assert.match(blocked.message, /run `switchboard server login far`/);
    assert.equal(paths(fixture).includes('/authorize'), false, 'serve opens no authorization');
    assert.equal(paths(fixture).includes('/register'), false, 'nor registers a client nobody will use');

    const signedIn = await login(h.dataDir, 'far');
    assert.equal(signedIn.code, 0, signedIn.err);
    assert.match(signedIn.out, /signed in to "far" \(2 tools\).*the running gateway reconnects it now/);
    const page = signedIn.page!;
    assert.equal(page.searchParams.get('code_challenge_method'), 'S256');
    assert.match(page.searchParams.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    assert.equal(page.searchParams.get('resource'), fixture.url);
    const token = fixture.requests.find((r) => r.path === '/token')!;
    assert.equal(token.form['resource'], fixture.url);
    assert.ok((token.form['code_verifier'] ?? '').length >= 43);

    await h.waitForState('far', (s) => s.state === 'running');
    const standing = h.core.status().secrets.find((s) => s.name === 'oauth:far');
    assert.deepEqual(standing?.expiry, { state: 'no-expiry' }, 'a refreshable authorization does not run out');
    const client = await h.connect();
    const echoed = await client.callTool({ name: 'far__echo', arguments: { text: 'through oauth' } });
    assert.deepEqual(echoed.content, [{ type: 'text', text: 'through oauth' }]);

    const issued = fixture.tokensIssued.flatMap((t) => [t.access_token, ...(t.refresh_token ? [t.refresh_token] : [])]);
    assert.ok(issued.length >= 2);
    await h.core.stop();
    assert.deepEqual(await filesHolding(h.dataDir, issued), [], 'tokens live only in the vault, encrypted');
    assert.deepEqual(
      h.logLines.filter((l) => issued.some((t) => l.includes(t))),
      [],
    );
  } finally {
    await h.close();
    await fixture.close();
  }
});

test('tokens are refreshed before they expire: no call meets an expired token', async () => {
  const fixture = await startOAuthFixture({ accessTokenTtlSeconds: 3 });
  const h = await startHarness({ vault: 'file', servers: { far: { url: fixture.url } } });
  try {
    await h.waitForState('far', (s) => s.state === 'blocked');
    const signedIn = await login(h.dataDir, 'far');
    assert.equal(signedIn.code, 0, signedIn.err);
    await h.waitForState('far', (s) => s.state === 'running');
    const since = fixture.requests.length;
    const client = await h.connect();
    await waitUntil(
      () => fixture.requests.slice(since).some((r) => r.path === '/token' && r.form['grant_type'] === 'refresh_token'),
      'a refresh ahead of expiry',
      15_000,
    );
    const firstExpiry = Math.min(...fixture.tokensIssued.map((t) => t.expires_at));
    await waitUntil(() => Date.now() > firstExpiry + 500, 'the first token to expire', 10_000);
    const echoed = await client.callTool({ name: 'far__echo', arguments: { text: 'still fine' } });
    assert.deepEqual(echoed.content, [{ type: 'text', text: 'still fine' }]);
    const refused = fixture.requests.slice(since).filter((r) => r.path === '/mcp' && r.status === 401);
    assert.equal(refused.length, 0, 'no request was sent with an expired token');
  } finally {
    await h.close();
    await fixture.close();
  }
});

const REFUSALS: readonly [string, OAuthFixtureOptions['asMetadata'], RegExp][] = [
  ['no code_challenge_methods_supported', { code_challenge_methods_supported: null }, /PKCE cannot be relied on/],
  ['no S256', { code_challenge_methods_supported: ['plain'] }, /does not support PKCE S256/],
  [
    'a metadata token endpoint',
    { token_endpoint: 'http://169.254.169.254/token' },
    /token_endpoint: .*plain http to another host/,
  ],
  [
    'a javascript: authorization endpoint',
    { authorization_endpoint: 'javascript:alert(1)' },
    /authorization_endpoint: URL cannot use javascript:/,
  ],
  [
    'a private https endpoint',
    { registration_endpoint: 'https://10.0.0.1/register' },
    /registration_endpoint: .*private or loopback/,
  ],
  [
    'a decimal-spelled loopback',
    { token_endpoint: 'https://2130706433/token' },
    /token_endpoint: .*private or loopback/,
  ],
  [
    'a mapped metadata address',
    { token_endpoint: 'https://[::ffff:169.254.169.254]/token' },
    /link-local or cloud-metadata/,
  ],
  ['another issuer in the metadata', { issuer: 'https://evil.example' }, /names issuer https:\/\/evil\.example/],
];

for (const [what, asMetadata, message] of REFUSALS) {
  test(`T34/T70 an authorization server with ${what} is refused before anything is sent to it`, async () => {
    const fixture = await startOAuthFixture({ asMetadata });
    const dir = await dataDirFor(fixture);
    try {
      const result = await login(dir, 'far', ['--timeout', '5']);
      assert.equal(result.code, 1);
      assert.match(result.err, /refused the authorization server of ("far"|http:\/\/127\.0\.0\.1:\d+)/);
      assert.match(result.err, message);
      assert.equal(result.page, null, 'no page was offered to open');
      for (const path of ['/register', '/authorize', '/token'])
        assert.equal(paths(fixture).includes(path), false, path);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await fixture.close();
    }
  });
}

test('T34 T71 an answer with the wrong state is not accepted; one from another issuer is refused; neither is redeemed', async () => {
  const fixture = await startOAuthFixture({ stateParam: 'wrong' });
  const dir = await dataDirFor(fixture);
  try {
    const wrongState = await login(dir, 'far', ['--timeout', '2']);
    assert.equal(wrongState.code, 1);
    assert.match(wrongState.err, /no answer from the browser within 2 s/);
    fixture.setOptions({ stateParam: 'echo', issParam: 'wrong' });
    const wrongIssuer = await login(dir, 'far', ['--timeout', '5']);
    assert.equal(wrongIssuer.code, 1);
    assert.match(wrongIssuer.err, /comes from issuer .* not http:\/\/127\.0\.0\.1:\d+; refused/);
    assert.equal(paths(fixture).includes('/token'), false, 'no code was redeemed');
  } finally {
    await rm(dir, { recursive: true, force: true });
    await fixture.close();
  }
});

test('an authorization that cannot be refreshed is watched like an expiring secret', async () => {
  const fixture = await startOAuthFixture({ issueRefreshTokens: false, accessTokenTtlSeconds: 3600 });
  const h = await startHarness({ vault: 'file', servers: { far: { url: fixture.url } } });
  try {
    await h.waitForState('far', (s) => s.state === 'blocked');
    const signedIn = await login(h.dataDir, 'far');
    assert.equal(signedIn.code, 0, signedIn.err);
    await h.waitForState('far', (s) => s.state === 'running');
    const standing = h.core.status().secrets.find((s) => s.name === 'oauth:far');
    assert.ok(standing?.expiry.state === 'expiring' && standing.expiry.days === 1, JSON.stringify(standing));
    const raised: string[] = [];
    h.core.credentials.on('expiry', (s) => raised.push(s.name));
    assert.deepEqual(
      h.core.credentials.checkExpiry().map((s) => s.name),
      ['oauth:far'],
    );
    assert.deepEqual(raised, ['oauth:far']);
    assert.deepEqual(h.core.credentials.checkExpiry(), [], 'raised once per step');
  } finally {
    await h.close();
    await fixture.close();
  }
});

test('T71 when the metadata names a new authorization server, the gateway registers again there and never sends it the old credentials', async () => {
  const first = await startOAuthFixture({});
  const second = await startOAuthFixture({});
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-oauth-'));
  try {
    // The second authorization server is another origin on loopback, which only this setting allows (T70).
    const written = await writeConfig(dataDirPaths(dir).config, {
      vault: 'file',
      servers: { far: { url: first.url, oauth: { allowPrivateNetwork: true } } },
    });
    assert.ok(written.ok);
    const before = await login(dir, 'far');
    assert.equal(before.code, 0, before.err);
    const oldClient = first.registrations[0]!;
    const oldTokens = first.tokensIssued.flatMap((t) => [t.access_token, t.refresh_token ?? []].flat());
    assert.ok(oldClient.client_id.length > 0 && oldTokens.length >= 2);

    first.setOptions({ resourceMetadata: { authorization_servers: [second.issuer] } });
    const after = await login(dir, 'far');
    assert.equal(after.page?.origin, second.issuer, 'the browser is sent to the new authorization server');
    assert.equal(second.registrations.length, 1, 'a registration of its own at the new authorization server');
    assert.notEqual(second.registrations[0]!.client_id, oldClient.client_id);
    const sentThere = JSON.stringify(second.requests.map((r) => [r.query, r.form, r.json, r.headers.authorization]));
    for (const secret of [oldClient.client_id, oldClient.client_secret, ...oldTokens]) {
      if (secret !== undefined) assert.ok(!sentThere.includes(secret), 'nothing of the old issuer goes to the new one');
    }
    assert.ok(
      second.requests
        .filter((r) => r.path === '/authorize' || r.path === '/token')
        .every((r) => r.clientId === second.registrations[0]!.client_id),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await first.close();
    await second.close();
  }
});

test('Log in from the dashboard or the desktop app: the page is announced, the person signs in, the server runs', async () => {
  const fixture = await startOAuthFixture({});
  const h = await startHarness({ vault: 'file', servers: { far: { url: fixture.url } } });
  try {
    await h.waitForState('far', (s) => s.state === 'blocked');
    // The test plays the person at the browser: it opens the page the core announces.
    const pages: string[] = [];
    let browsing: Promise<void> | null = null;
    const off = h.core.onControlEvent((event) => {
      if (event.type !== 'sign-in' || event.server !== 'far') return;
      pages.push(event.url);
      browsing = (async () => {
        const answer = await fetch(event.url, { redirect: 'manual' });
        const location = answer.headers.get('location');
        if (location !== null) await fetch(new URL(location, event.url)).then((r) => r.text());
      })();
    });
    const signedIn = await h.core.controlApi.signIn({ name: 'far' });
    off();
    await browsing;
    assert.deepEqual(signedIn, { ok: true, value: { signedIn: true, tools: 2 } });
    assert.equal(pages.length, 1);
    assert.equal(new URL(pages[0]!).searchParams.get('code_challenge_method'), 'S256');
    await h.waitForState('far', (s) => s.state === 'running');
    const client = await h.connect();
    const echoed = await client.callTool({ name: 'far__echo', arguments: { text: 'signed in from the app' } });
    assert.deepEqual(echoed.content, [{ type: 'text', text: 'signed in from the app' }]);

    const stdio = await h.core.controlApi.signIn({ name: 'nope' });
    assert.deepEqual(stdio, { ok: false, error: 'no server named "nope"' });
  } finally {
    await h.close();
    await fixture.close();
  }
});
