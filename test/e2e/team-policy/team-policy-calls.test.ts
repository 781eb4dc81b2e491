// T23 and T90 through the gateway with a real MCP client: local rules can only narrow the team policy (and the
// conflict is reported through the control API), and a new team version applied while 100 calls are in flight
// decides each call with the old or the new version entirely, each audit record naming it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { textOf } from '../security/policy-support.ts';
import { auditOf, ruleOfRefusal, startTeamCore } from './team-support.ts';

test('T23 the team denies x and a local rule allows x: x stays denied, and the conflict is reported', async (t) => {
  const setup = await startTeamCore(t, {
    first: { deniedTools: ['fs__delete'] },
    config: {
      policy: {
        rules: [
          { id: 'local-allows-delete', tools: ['fs__delete'], action: 'allow' },
          { id: 'local-denies-write', tools: ['fs__write'], action: 'deny' },
        ],
      },
    },
  });
  const { h } = setup;
  await h.core.teamPolicy.syncNow();
  const client = await h.connect();
  const listed = (await client.listTools()).tools.map((tool) => tool.name);
  assert.ok(!listed.includes('fs__delete'), 'the team-denied tool is not listed');
  assert.ok(!listed.includes('fs__write'), 'the locally denied tool is not listed');
  assert.ok(listed.includes('fs__echo'));
  assert.equal(
    await ruleOfRefusal(client.callTool({ name: 'fs__delete', arguments: { path: '/tmp/x' } })),
    'team:deniedTools[0]',
  );
  // A local rule may deny what the team allows.
  assert.equal(
    await ruleOfRefusal(client.callTool({ name: 'fs__write', arguments: { path: '/tmp/x' } })),
    'local-denies-write',
  );
  const view = await h.core.controlApi.policy({});
  assert.ok(view.ok);
  assert.equal(view.value.source, 'team');
  assert.deepEqual(
    view.value.team?.conflicts.map((c) => [c.local, c.team]),
    [['local-allows-delete', 'team:deniedTools[0]']],
  );
});

test('T90 a new version applied while 100 calls are in flight: each decision is one version, and says which', async (t) => {
  const setup = await startTeamCore(t, { first: {} });
  const { h } = setup;
  await h.core.teamPolicy.syncNow();
  const clients = await Promise.all([0, 1, 2, 3].map(() => h.connect()));
  let decidedByV1: () => void = () => {};
  const firstDecided = new Promise<void>((resolve) => (decidedByV1 = resolve));
  h.core.audit.subscribe((record) => {
    if (
      record.method === 'tools/call' &&
      (record.detail as { team?: { version?: number } } | null)?.team?.version === 1
    )
      decidedByV1();
  });
  const call = (i: number) =>
    clients[i % 4]!.callTool({ name: 'fs__echo', arguments: { text: `call-${i}` } }).then(
      (result) => ({ i, ok: !(result as { isError?: boolean }).isError && /call-/.test(textOf(result)) }),
      () => ({ i, ok: false }),
    );
  const first = Array.from({ length: 50 }, (_, i) => call(i));
  await firstDecided;
  // Version 2 denies the tool; it is applied while the first calls are still going.
  await setup.serve(2, { deniedTools: ['fs__echo'] });
  const applying = h.core.teamPolicy.syncNow();
  const during = Array.from({ length: 40 }, (_, i) => call(50 + i));
  assert.equal((await applying)?.outcome, 'applied');
  const after = Array.from({ length: 10 }, (_, i) => call(90 + i));
  const results = await Promise.all([...first, ...during, ...after]);

  const records = (await auditOf(h, 'tools/call')).filter((r) => (r.arguments ?? '').includes('call-'));
  assert.equal(records.length, 100, 'every call has its record');
  const versions = new Map<number, number>();
  for (const record of records) {
    const i = Number(/call-(\d+)/.exec(record.arguments ?? '')![1]);
    const version = (record.detail as { team?: { version?: number } } | null)?.team?.version;
    assert.ok(version === 1 || version === 2, `record of call ${i} names its version`);
    versions.set(i, version);
    // Version 1 allows the call, version 2 denies it: outcome and rule follow the version named, never a mix.
    assert.equal(record.outcome, version === 1 ? 'ok' : 'denied', `call ${i}`);
    if (version === 2) assert.equal(record.rule, 'team:deniedTools[0]');
  }
  for (const { i, ok } of results) assert.equal(ok, versions.get(i) === 1, `call ${i}'s answer matches its record`);
  assert.ok([...versions.values()].includes(1) && [...versions.values()].includes(2), 'both versions decided calls');
  for (let i = 90; i < 100; i += 1) assert.equal(versions.get(i), 2, `call ${i}, sent after the apply, saw version 2`);
});
