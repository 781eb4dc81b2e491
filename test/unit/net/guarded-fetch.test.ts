// The guarded fetch against real HTTP servers on 127.0.0.1; host names go through a resolver the test controls,
// standing in for DNS (which this machine cannot be made to answer with a metadata address).
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { LookupAddress } from 'node:dns';
import { BlockedAddressError, guardedFetch } from '../../../main/net/guarded-fetch.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const seen: Record<'a' | 'b', Seen[]> = { a: [], b: [] };
const servers: Server[] = [];
let portA = 0;
let portB = 0;

function listen(name: 'a' | 'b', handle: (req: Seen) => { status: number; location?: string }): Promise<number> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen[name].push(entry);
      const { status, location } = handle(entry);
      res.writeHead(status, location === undefined ? {} : { location }).end(status === 200 ? 'ok' : '');
    });
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

before(async () => {
  portB = await listen('b', () => ({ status: 200 }));
  portA = await listen('a', (req) => {
    if (req.url === '/to-b') return { status: 307, location: `http://127.0.0.1:${portB}/landed` };
    if (req.url === '/see-other') return { status: 303, location: `http://127.0.0.1:${portB}/other` };
    if (req.url === '/same-origin') return { status: 308, location: '/final' };
    if (req.url === '/to-metadata') return { status: 302, location: 'http://169.254.169.254/latest/meta-data/' };
    if (req.url === '/to-file') return { status: 302, location: 'file:///etc/passwd' };
    if (req.url === '/loop') return { status: 302, location: '/loop' };
    return { status: 200 };
  });
});
after(() => {
  for (const server of servers) server.close();
});

/** A resolver answering from a table, counting how often it was asked. */
function table(answers: Record<string, string[]>): {
  resolve: (host: string) => Promise<LookupAddress[]>;
  calls: string[];
} {
  const calls: string[] = [];
  return {
    calls,
    resolve: async (host) => {
      calls.push(host);
      const found = answers[host];
      if (found === undefined) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the fetch to fail');
}

function isBlocked(error: Error): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e instanceof BlockedAddressError) return true;
  return false;
}

test('T69 a host that resolves to a metadata address is refused, and nothing is sent', async () => {
  const resolver = table({ 'evil.test': ['169.254.169.254'], 'mixed.test': ['127.0.0.1', 'fd00:ec2::254'] });
  const fetch = guardedFetch({ rule: 'no-metadata', resolve: resolver.resolve });
  for (const host of ['evil.test', 'mixed.test']) {
    const error = await failure(fetch(`http://${host}:${portA}/`));
    assert.ok(isBlocked(error), `${host}: ${error.message} ${String(error.cause)}`);
  }
  assert.equal(seen.a.length, 0);
});

test('T69 metadata IP literals are refused before any connection, however spelled', async () => {
  const fetch = guardedFetch({ rule: 'no-metadata' });
  for (const url of [
    'http://169.254.169.254/',
    'http://[::ffff:169.254.169.254]/',
    'http://0xa9fea9fe/',
    'http://[fe80::1]/',
  ]) {
    const error = await failure(fetch(url));
    assert.ok(error instanceof BlockedAddressError, `${url}: ${error.message}`);
  }
});

test('T69 the address that was checked is the address connected to: one resolution per connection', async () => {
  const resolver = table({ 'ok.test': ['127.0.0.1'] });
  const fetch = guardedFetch({ rule: 'no-metadata', resolve: resolver.resolve });
  const before = seen.a.length;
  const response = await fetch(`http://ok.test:${portA}/hello`);
  assert.equal(response.status, 200);
  assert.equal(seen.a.length, before + 1);
  assert.deepEqual(resolver.calls, ['ok.test'], 'no separate check that a second answer could slip past');
});

test('T33 a redirect to another origin drops Authorization, Cookie and configured headers; the body survives a 307', async () => {
  const fetch = guardedFetch({ rule: 'no-metadata', configuredHeaders: ['X-Api-Key'] });
  const response = await fetch(`http://127.0.0.1:${portA}/to-b`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer upstream-credential',
      cookie: 'session=1',
      'x-api-key': 'key-123',
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: '{"jsonrpc":"2.0"}',
  });
  assert.equal(response.status, 200);
  const atA = seen.a.at(-1)!;
  assert.equal(atA.headers['authorization'], 'Bearer upstream-credential');
  const atB = seen.b.at(-1)!;
  assert.equal(atB.url, '/landed');
  assert.equal(atB.method, 'POST');
  assert.equal(atB.body, '{"jsonrpc":"2.0"}');
  assert.equal(atB.headers['authorization'], undefined);
  assert.equal(atB.headers['cookie'], undefined);
  assert.equal(atB.headers['x-api-key'], undefined);
  assert.equal(atB.headers['accept'], 'application/json');
});

test('a same-origin redirect keeps the headers; a 303 continues as GET without a body', async () => {
  const fetch = guardedFetch({ rule: 'no-metadata', configuredHeaders: ['x-api-key'] });
  await fetch(`http://127.0.0.1:${portA}/same-origin`, { method: 'POST', headers: { 'x-api-key': 'k' }, body: 'b' });
  const final = seen.a.at(-1)!;
  assert.equal(final.url, '/final');
  assert.equal(final.headers['x-api-key'], 'k');
  assert.equal(final.body, 'b');
  await fetch(`http://127.0.0.1:${portA}/see-other`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'b',
  });
  const other = seen.b.at(-1)!;
  assert.equal(other.method, 'GET');
  assert.equal(other.body, '');
  assert.equal(other.headers['content-type'], undefined);
});

test('redirects are vetted hop by hop: to a metadata address, to file:, and in a loop', async () => {
  const fetch = guardedFetch({ rule: 'no-metadata' });
  assert.ok((await failure(fetch(`http://127.0.0.1:${portA}/to-metadata`))) instanceof BlockedAddressError);
  assert.match((await failure(fetch(`http://127.0.0.1:${portA}/to-file`))).message, /only http and https/);
  assert.match((await failure(fetch(`http://127.0.0.1:${portA}/loop`))).message, /redirected more than 5 times/);
});

test('a caller that asks for redirects as they are gets the redirect itself', async () => {
  const fetch = guardedFetch({ rule: 'no-metadata' });
  const before = seen.b.length;
  const response = await fetch(`http://127.0.0.1:${portA}/to-b`, { redirect: 'manual' });
  assert.equal(response.status, 307);
  assert.equal(response.headers.get('location'), `http://127.0.0.1:${portB}/landed`);
  assert.equal(seen.b.length, before, 'not followed');
});

test('a rule per URL: the same fetch holds other origins to a stricter rule', async () => {
  const fetch = guardedFetch({
    rule: 'no-metadata',
    ruleFor: (url) => (url.port === String(portA) ? 'no-metadata' : 'public-only'),
  });
  assert.equal((await fetch(`http://127.0.0.1:${portA}/hello`)).status, 200);
  const error = await failure(fetch(`http://127.0.0.1:${portB}/direct`));
  assert.match(error.message, /private or loopback/);
});
