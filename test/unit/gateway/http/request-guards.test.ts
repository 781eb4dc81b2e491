import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { bearerToken, checkOrigin, originPolicy, requestPath } from '../../../../main/gateway/http/request-guards.ts';

/** Only the fields the guards read. */
function req(fields: { url?: string; headers?: Record<string, string> }): IncomingMessage {
  return { url: fields.url, headers: fields.headers ?? {} } as IncomingMessage;
}

test('requestPath drops the query string, which may carry a token, before anything logs the URL (T3)', () => {
  assert.equal(requestPath(req({ url: '/mcp?access_token=sbt_secret' })), '/mcp');
  assert.equal(requestPath(req({ url: '/mcp/echo' })), '/mcp/echo');
  assert.equal(requestPath(req({ url: '/?a=1?b=2' })), '/');
  assert.equal(requestPath(req({})), '/');
});

test('the token is read from Authorization: Bearer only (T49)', () => {
  assert.equal(bearerToken(req({ headers: { authorization: 'Bearer abc' } })), 'abc');
  assert.equal(bearerToken(req({ headers: { authorization: 'bearer abc' } })), 'abc');
  for (const authorization of ['Basic abc', 'abc', 'Bearer', 'Bearer a b', 'Token abc']) {
    assert.equal(bearerToken(req({ headers: { authorization } })), null, authorization);
  }
  assert.equal(bearerToken(req({ url: '/mcp?access_token=abc', headers: { cookie: 'token=abc' } })), null);
});

test('Origin must be absent or the gateway itself; Host must name a loopback name and the port (T8, T9)', () => {
  const policy = originPolicy('127.0.0.1', 7345, []);
  const host = { host: '127.0.0.1:7345' };
  assert.equal(checkOrigin(req({ headers: host }), policy), null);
  assert.equal(checkOrigin(req({ headers: { ...host, origin: 'http://localhost:7345' } }), policy), null);
  for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:7346', 'https://127.0.0.1:7345']) {
    assert.equal(checkOrigin(req({ headers: { ...host, origin } }), policy)?.status, 403, origin);
  }
  for (const bad of ['evil.example:7345', '127.0.0.1:7346', '127.0.0.1']) {
    assert.equal(checkOrigin(req({ headers: { host: bad } }), policy)?.status, 403, bad);
  }
  assert.equal(checkOrigin(req({ headers: {} }), policy)?.status, 403, 'no Host at all');
});

test('bound beyond loopback: Host may be a loopback name, an IP address or a gateway.publicHosts name, nothing else (T8)', () => {
  const policy = originPolicy('0.0.0.0', 7345, [], ['mcp.example.com', 'Other.Example.com:8443']);
  for (const good of [
    '127.0.0.1:7345',
    'mcp.example.com',
    'MCP.example.com:443',
    'other.example.com:8443',
    '10.1.2.3:7345',
    '[fd00::1]:7345',
  ]) {
    assert.equal(checkOrigin(req({ headers: { host: good } }), policy), null, good);
  }
  for (const bad of ['evil.example', 'evil.example:7345', 'other.example.com:9000', 'mcp.example.com.evil.example']) {
    assert.equal(checkOrigin(req({ headers: { host: bad } }), policy)?.status, 403, bad);
  }
  // The browser on the public name speaks https to the ingress; that origin is the gateway's own.
  const origin = { host: 'mcp.example.com', origin: 'https://mcp.example.com' };
  assert.equal(checkOrigin(req({ headers: origin }), policy), null);
  assert.equal(checkOrigin(req({ headers: { ...origin, origin: 'http://mcp.example.com' } }), policy)?.status, 403);
});

test('without gateway.publicHosts a gateway beyond loopback still refuses a Host that is a DNS name (T8)', () => {
  const policy = originPolicy('0.0.0.0', 7345, []);
  assert.equal(checkOrigin(req({ headers: { host: 'rebound.example:7345' } }), policy)?.status, 403);
  assert.equal(checkOrigin(req({ headers: { host: '192.168.1.20:7345' } }), policy), null);
  // On loopback an address other than the loopback names is refused, as before.
  const local = originPolicy('127.0.0.1', 7345, [], ['mcp.example.com']);
  assert.equal(checkOrigin(req({ headers: { host: '10.0.0.1:7345' } }), local)?.status, 403);
  assert.equal(checkOrigin(req({ headers: { host: 'mcp.example.com' } }), local), null);
});
