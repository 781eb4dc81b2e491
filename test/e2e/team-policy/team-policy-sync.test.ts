// T86–T89 against a team feed on 127.0.0.1: a valid update is applied and enforced; every kind of bad document and
// endpoint fault leaves the last good version in force, raises an alert naming the reason (status and audit), and
// the gateway keeps serving.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompactSign } from 'jose';
import { makeTeamKey, signWith, teamDocument, unsigned } from '../../helpers/team-documents.ts';
import { textOf } from '../security/policy-support.ts';
import { startFeed } from './policy-feed.ts';
import { TEAM, auditOf, startTeamCore, type TeamSetup } from './team-support.ts';

async function expectKept(setup: TeamSetup, reason: string, version: number): Promise<void> {
  const { h } = setup;
  const result = await h.core.teamPolicy.syncNow();
  assert.equal(result?.outcome, 'rejected', `expected a rejection for ${reason}`);
  assert.equal(result?.outcome === 'rejected' && result.reason, reason);
  const status = h.core.teamPolicy.status();
  assert.equal(status?.version, version, `${reason}: the last good version stays`);
  assert.equal(status?.state, 'active');
  assert.equal(status?.lastAlert?.reason, reason);
  // The gateway keeps serving, under the last good policy.
  const client = await h.connect();
  assert.match(textOf(await client.callTool({ name: 'fs__echo', arguments: { text: 'hi' } })), /hi/);
  await assert.rejects(
    client.callTool({ name: 'fs__delete', arguments: { path: '/tmp/x' } }),
    (error: { data?: { rule?: string } }) => error.data?.rule === 'team:deniedTools[0]',
  );
  await client.close();
}

test('T86 T87 T88 T89 a valid update is applied; every bad document and fault keeps the last good one', async (t) => {
  const setup = await startTeamCore(t);
  const { h, feed, serve } = setup;
  await serve(1, { deniedTools: ['fs__delete'] });
  assert.equal((await h.core.teamPolicy.syncNow())?.outcome, 'applied');
  const applied = await auditOf(h, 'team-policy-applied');
  assert.equal(applied[0]?.detail?.version, 1);

  // Not modified: the second poll is conditional and answered 304.
  assert.equal((await h.core.teamPolicy.syncNow())?.outcome, 'unchanged');
  assert.ok(feed.seen.notModified >= 1, 'a poll with If-None-Match got 304');

  await serve(2, { deniedTools: ['fs__delete'] });
  assert.equal((await h.core.teamPolicy.syncNow())?.outcome, 'applied');

  const other = await makeTeamKey();
  const doc = (version: number, more: Record<string, unknown> = {}) =>
    teamDocument(TEAM, version, { deniedTools: ['fs__delete'], ...more });
  const good = await signWith(setup.key, doc(3));
  const [head, body, sig] = good.split('.');
  const flipped = `${head}.${body!.slice(0, -2)}${body!.endsWith('A') ? 'B' : 'A'}${body!.slice(-1)}.${sig}`;
  const hs256 = await new CompactSign(new TextEncoder().encode(JSON.stringify(doc(3))))
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(setup.key.publicKey));
  const redirectTarget = await startFeed({ kind: 'document', jws: good });
  t.after(() => redirectTarget.close());

  const cases: [string, () => Promise<void> | void][] = [
    [
      'signature',
      async () => void (feed.answer = { kind: 'document', jws: await signWith(other, doc(3), { kid: setup.key.kid }) }),
    ],
    ['signature', () => void (feed.answer = { kind: 'document', jws: flipped })],
    ['header', () => void (feed.answer = { kind: 'document', jws: unsigned(doc(3)) })],
    ['header', () => void (feed.answer = { kind: 'document', jws: hs256 })],
    [
      'header',
      async () =>
        void (feed.answer = {
          kind: 'document',
          jws: await signWith(other, doc(3), { jwk: { kty: 'OKP', crv: 'Ed25519', x: other.publicKey } }),
        }),
    ],
    [
      'header',
      async () =>
        void (feed.answer = {
          kind: 'document',
          jws: await signWith(setup.key, doc(3), { jku: 'https://keys.example/' }),
        }),
    ],
    [
      'header',
      async () =>
        void (feed.answer = {
          kind: 'document',
          jws: await signWith(setup.key, doc(3), { x5u: 'https://keys.example/c' }),
        }),
    ],
    [
      'header',
      async () => void (feed.answer = { kind: 'document', jws: await signWith(setup.key, doc(3), { kid: other.kid }) }),
    ],
    ['malformed', () => void (feed.answer = { kind: 'raw', body: '{"team": "acme", "version": 3,' })],
    [
      'schema',
      async () =>
        void (feed.answer = {
          kind: 'document',
          jws: await signWith(setup.key, doc(3, { deniedTools: 'fs__delete' })),
        }),
    ],
    ['rollback', async () => void (feed.answer = { kind: 'document', jws: await signWith(setup.key, doc(1)) })],
    [
      'same-version',
      async () =>
        void (feed.answer = { kind: 'document', jws: await signWith(setup.key, doc(2, { deniedTools: [] })) }),
    ],
    [
      'team',
      async () =>
        void (feed.answer = { kind: 'document', jws: await signWith(setup.key, { ...doc(3), team: 'globex' }) }),
    ],
    ['endpoint', () => void (feed.answer = { kind: 'status', status: 500 })],
    ['endpoint', () => void (feed.answer = { kind: 'hang' })],
    ['endpoint', () => void (feed.answer = { kind: 'trickle' })],
    ['endpoint', () => void (feed.answer = { kind: 'huge' })],
    ['endpoint', () => void (feed.answer = { kind: 'redirect', location: redirectTarget.url })],
  ];
  for (const [reason, arrange] of cases) {
    await arrange();
    await expectKept(setup, reason, 2);
  }
  assert.equal(redirectTarget.seen.requests, 0, 'a redirect to another host is not followed');

  const alerts = await auditOf(h, 'team-policy-alert');
  const reasons = new Set(alerts.map((a) => a.detail?.reason));
  for (const reason of ['signature', 'header', 'malformed', 'schema', 'rollback', 'same-version', 'team', 'endpoint']) {
    assert.ok(reasons.has(reason), `an audit record names ${reason}`);
  }
  const messages = alerts.map((a) => String(a.detail?.message)).join('\n');
  assert.match(messages, /HTTP 500/);
  assert.match(messages, /within 2000 ms/);
  assert.match(messages, /larger than 1048576 bytes/);
  assert.match(messages, /redirected to another host/);

  // The feed recovers: the next valid version is applied.
  await serve(3, { deniedTools: [] });
  assert.equal((await h.core.teamPolicy.syncNow())?.outcome, 'applied');
  const client = await h.connect();
  assert.doesNotMatch(textOf(await client.callTool({ name: 'fs__delete', arguments: { path: '/tmp/x' } })), /refused/);
});

test('T89 a failing endpoint is polled again with growing delays while the gateway serves', async (t) => {
  const setup = await startTeamCore(t, { pollMs: 100, first: { deniedTools: ['fs__delete'] } });
  const { h, feed } = setup;
  // The first poll runs at start; wait until the document is in force.
  for (let i = 0; i < 100 && h.core.teamPolicy.status()?.version !== 1; i += 1)
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(h.core.teamPolicy.status()?.version, 1);
  feed.answer = { kind: 'status', status: 503 };
  const before = feed.seen.requests;
  for (let i = 0; i < 200 && feed.seen.requests < before + 3; i += 1) await new Promise((r) => setTimeout(r, 50));
  assert.ok(feed.seen.requests >= before + 3, 'sync retried');
  const status = h.core.teamPolicy.status();
  assert.ok((status?.failures ?? 0) >= 2, 'failures are counted for the backoff');
  assert.equal(status?.version, 1);
  assert.ok(feed.seen.conditional >= 1, 'polls carry If-None-Match');
  const client = await h.connect();
  assert.match(textOf(await client.callTool({ name: 'fs__echo', arguments: { text: 'still' } })), /still/);
});
