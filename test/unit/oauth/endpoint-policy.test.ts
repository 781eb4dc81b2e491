import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorizationUrlRefusal, endpointRefusal } from '../../../main/oauth/endpoint-policy.ts';
import { readCallback } from '../../../main/oauth/authorization-callback.ts';

const strict = { serverOrigin: 'https://mcp.example', allowPrivateNetwork: false };

test('T70 OAuth endpoints must be https and public, except at the server own origin', () => {
  assert.equal(endpointRefusal('https://auth.example/token', strict), null);
  assert.equal(endpointRefusal('https://mcp.example/token', strict), null);
  for (const [url, why] of [
    ['http://auth.example/token', /plain http to another host/],
    ['ftp://auth.example/token', /ftp: URLs are not allowed/],
    ['https://127.0.0.1/token', /private or loopback/],
    ['https://2130706433/token', /private or loopback/],
    ['https://0x7f000001/token', /private or loopback/],
    ['https://10.0.0.1/token', /private or loopback/],
    ['https://172.16.5.5/token', /private or loopback/],
    ['https://192.168.0.1/token', /private or loopback/],
    ['https://[::1]/token', /private or loopback/],
    ['https://[fc00::1]/token', /private or loopback/],
    ['https://169.254.169.254/token', /link-local or cloud-metadata/],
    ['https://[fe80::1]/token', /link-local or cloud-metadata/],
    ['https://[::ffff:169.254.169.254]/token', /link-local or cloud-metadata/],
    ['http://127.0.0.1:9000/token', /loopback address other than the server's own/],
    ['not a url', /is not a URL/],
  ] as const) {
    assert.match(endpointRefusal(url, strict) ?? 'allowed', why, url);
  }
});

test('allowPrivateNetwork admits LAN and loopback endpoints, never metadata ones', () => {
  const lan = { serverOrigin: 'https://mcp.example', allowPrivateNetwork: true };
  assert.equal(endpointRefusal('https://10.0.0.1/token', lan), null);
  assert.equal(endpointRefusal('http://127.0.0.1:9000/token', lan), null);
  assert.match(endpointRefusal('https://169.254.169.254/token', lan)!, /metadata/);
  assert.match(endpointRefusal('http://10.0.0.1/token', lan)!, /plain http to another host/);
});

test('T68 only https (or http to this machine) is ever opened', () => {
  assert.equal(authorizationUrlRefusal('https://auth.example/authorize?x=1'), null);
  assert.equal(authorizationUrlRefusal('http://127.0.0.1:5555/authorize'), null);
  for (const url of [
    'javascript:alert(1)',
    'file:///etc/passwd',
    'data:text/html,<script>1</script>',
    'http://auth.example/a',
    'vbscript:x',
  ]) {
    assert.match(authorizationUrlRefusal(url) ?? 'opened', /refused to open|not a URL/, url);
  }
});

test('the browser answer: exact redirect, state, iss, then the code', () => {
  const expected = {
    redirectUrl: 'http://127.0.0.1:4000/oauth/callback',
    state: 's1',
    issuer: 'https://as.example',
    issPromised: true,
  };
  const good = new URL('http://127.0.0.1:4000/oauth/callback?code=c&state=s1&iss=https%3A%2F%2Fas.example');
  assert.deepEqual(readCallback(good, expected), { ok: true, code: 'c' });
  const cases: [string, RegExp][] = [
    ['http://127.0.0.1:4001/oauth/callback?code=c&state=s1&iss=https%3A%2F%2Fas.example', /redirected to/],
    ['http://127.0.0.1:4000/other?code=c&state=s1&iss=https%3A%2F%2Fas.example', /redirected to/],
    ['http://127.0.0.1:4000/oauth/callback?code=c&state=s2&iss=https%3A%2F%2Fas.example', /wrong state/],
    ['http://127.0.0.1:4000/oauth/callback?code=c&state=s1', /no iss although/],
    [
      'http://127.0.0.1:4000/oauth/callback?code=c&state=s1&iss=https%3A%2F%2Fas.example%2F',
      /comes from issuer https:\/\/as.example\/, not/,
    ],
    [
      'http://127.0.0.1:4000/oauth/callback?error=access_denied&state=s1&iss=https%3A%2F%2Fas.example',
      /refused: access_denied/,
    ],
    ['http://127.0.0.1:4000/oauth/callback?state=s1&iss=https%3A%2F%2Fas.example', /no code/],
  ];
  for (const [url, why] of cases) {
    const result = readCallback(new URL(url), expected);
    assert.ok(!result.ok && why.test(result.error), `${url}: ${JSON.stringify(result)}`);
  }
  const unpromised = readCallback(new URL('http://127.0.0.1:4000/oauth/callback?code=c&state=s1'), {
    ...expected,
    issPromised: false,
  });
  assert.deepEqual(unpromised, { ok: true, code: 'c' });
});
