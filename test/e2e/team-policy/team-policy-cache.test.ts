// T87 T88 T89 across restarts: the cached document is enforced at an offline start after being verified again; a
// tampered cache, or an older signed document put in its place, is refused at start (every call refused, alert);
// a document past its expiry raises "policy stale" and follows its onExpiry mode.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Core } from '../../../main/core/core.ts';
import { silentLogger } from '../../../main/log/logger.ts';
import { teamPaths } from '../../../main/team-policy/enrollment.ts';
import { textOf } from '../security/policy-support.ts';
import { ruleOfRefusal, startTeamCore, type TeamSetup } from './team-support.ts';

/** Stops the setup's core and starts another on the same data directory, with the feed as the test left it. */
async function restart(t: TestContext, setup: TeamSetup): Promise<{ core: Core; connect: () => Promise<Client> }> {
  await setup.h.core.stop();
  const started = await Core.start({ dataDir: setup.h.dataDir, logger: silentLogger, port: 0 });
  if (!started.ok) throw new Error(started.error);
  const core = started.core;
  t.after(() => core.stop());
  const connect = async () => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL('/mcp', core.gatewayUrl), {
      requestInit: { headers: { authorization: `Bearer ${setup.h.token}` } },
    });
    await client.connect(transport);
    t.after(() => client.close());
    return client;
  };
  return { core, connect };
}

/** The message of the audited alert about the cache (a poll's alert may have come after it). */
async function cacheAlert(core: Core): Promise<string> {
  await core.audit.whenStored();
  const alerts = core.audit.query({ limit: 1000 }).events.filter((e) => e.method === 'team-policy-alert');
  return alerts.map((a) => a.detail).find((d) => d?.reason === 'cache')?.message as string;
}

test('T89 an offline start enforces the cached document, verified again', async (t) => {
  const setup = await startTeamCore(t, { first: { deniedTools: ['fs__delete'] } });
  assert.equal((await setup.h.core.teamPolicy.syncNow())?.outcome, 'unchanged');
  assert.equal(setup.h.core.teamPolicy.status()?.version, 1);
  setup.feed.answer = { kind: 'status', status: 503 };
  const { core, connect } = await restart(t, setup);
  assert.equal(core.teamPolicy.status()?.state, 'active');
  assert.equal(core.teamPolicy.status()?.version, 1);
  const client = await connect();
  assert.equal(
    await ruleOfRefusal(client.callTool({ name: 'fs__delete', arguments: { path: '/tmp/x' } })),
    'team:deniedTools[0]',
  );
  assert.match(textOf(await client.callTool({ name: 'fs__echo', arguments: { text: 'offline' } })), /offline/);
});

test('T89 a tampered cache is refused at start: alert, and every call refused until a valid sync', async (t) => {
  const setup = await startTeamCore(t, { first: { deniedTools: ['fs__delete'] } });
  await setup.h.core.teamPolicy.syncNow();
  const cache = teamPaths(setup.h.dataDir).cache;
  const jws = (await readFile(cache, 'utf8')).trim();
  const [head, body, sig] = jws.split('.');
  const text = Buffer.from(body!, 'base64url').toString().replace('"fs__delete"', '"fs__nothing"');
  await writeFile(cache, `${head}.${Buffer.from(text).toString('base64url')}.${sig}\n`);
  setup.feed.answer = { kind: 'status', status: 503 };
  const { core, connect } = await restart(t, setup);
  assert.equal(core.teamPolicy.status()?.state, 'refused');
  assert.match(await cacheAlert(core), /signature/);
  const client = await connect();
  assert.equal(
    await ruleOfRefusal(client.callTool({ name: 'fs__echo', arguments: { text: 'x' } })),
    'team:unavailable',
  );
  // The feed serves the applied version again: a sync brings it back.
  await core.teamPolicy.syncNow();
  setup.feed.answer = { kind: 'document', jws };
  assert.equal((await core.teamPolicy.syncNow())?.outcome, 'unchanged');
  assert.equal(core.teamPolicy.status()?.state, 'active');
  assert.match(textOf(await client.callTool({ name: 'fs__echo', arguments: { text: 'back' } })), /back/);
});

test('T87 an older validly signed document put in place of the cache is refused at start', async (t) => {
  const setup = await startTeamCore(t, { first: { deniedTools: ['fs__delete'] } });
  await setup.h.core.teamPolicy.syncNow();
  const cache = teamPaths(setup.h.dataDir).cache;
  const older = await readFile(cache, 'utf8');
  await setup.serve(2, { deniedTools: ['fs__delete', 'fs__write'] });
  assert.equal((await setup.h.core.teamPolicy.syncNow())?.outcome, 'applied');
  await writeFile(cache, older);
  setup.feed.answer = { kind: 'status', status: 500 };
  const { core } = await restart(t, setup);
  assert.equal(core.teamPolicy.status()?.state, 'refused');
  assert.match(await cacheAlert(core), /version 1\) is not the one applied last \(version 2\)/);
});

test('T88 a document past its expiry raises "policy stale"; onExpiry deny refuses calls, keep enforces it', async (t) => {
  const past = new Date(Date.now() - 60_000).toISOString();
  const setup = await startTeamCore(t, { first: { expiresAt: past, deniedTools: ['fs__delete'] } });
  await setup.h.core.teamPolicy.syncNow();
  let status = setup.h.core.teamPolicy.status();
  assert.equal(status?.state, 'stale');
  assert.equal(status?.enforced, 'closed');
  assert.match(status?.lastAlert?.message ?? '', /^policy stale: version 1 expired/);
  const client = await setup.h.connect();
  assert.equal(
    await ruleOfRefusal(client.callTool({ name: 'fs__echo', arguments: { text: 'x' } })),
    'team:unavailable',
  );
  // The same frozen document again is still stale, never fresh.
  assert.equal((await setup.h.core.teamPolicy.syncNow())?.outcome, 'unchanged');
  assert.equal(setup.h.core.teamPolicy.status()?.state, 'stale');

  await setup.serve(2, { expiresAt: past, onExpiry: 'keep', deniedTools: ['fs__delete'] });
  await setup.h.core.teamPolicy.syncNow();
  status = setup.h.core.teamPolicy.status();
  assert.equal(status?.state, 'stale');
  assert.equal(status?.enforced, 'document');
  assert.match(textOf(await client.callTool({ name: 'fs__echo', arguments: { text: 'kept' } })), /kept/);
  assert.equal(
    await ruleOfRefusal(client.callTool({ name: 'fs__delete', arguments: { path: '/tmp/x' } })),
    'team:deniedTools[0]',
  );
});
