import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { policySchema, type PolicyConfig } from '../../../main/config/policy-schema.ts';
import type { ConfirmAnswer } from '../../../main/policy/confirmation.ts';
import { PolicyEngine, type PolicyCall } from '../../../main/policy/policy-engine.ts';
import { parseTeamDocument, type TeamDocument } from '../../../main/team-policy/document-schema.ts';
import { LayeredPolicy } from '../../../main/team-policy/layered-policy.ts';
import { ruleConflicts } from '../../../main/team-policy/team-rules.ts';
import { teamDocument } from '../../helpers/team-documents.ts';

const X: Tool = { name: 'x', inputSchema: { type: 'object' } };
const Y: Tool = { name: 'y', inputSchema: { type: 'object' } };

function local(policy: unknown): PolicyConfig {
  return policySchema.parse(policy);
}
function doc(version: number, more: Record<string, unknown>): TeamDocument {
  const parsed = parseTeamDocument(teamDocument('acme', version, more));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.document;
}
function layered(localPolicy: unknown, document: TeamDocument | null): LayeredPolicy {
  const p = new LayeredPolicy(new PolicyEngine({ policy: local(localPolicy), separator: '__' }), '__');
  if (document !== null) p.setTeam({ state: 'active', document, digest: `d${document.version}`, enforced: 'document' });
  return p;
}
const call = (tool: Tool, more: Partial<PolicyCall> = {}): PolicyCall => ({
  client: 'a',
  server: 'fs',
  tool: tool.name,
  definition: tool,
  args: {},
  confirm: null,
  ...more,
});

test('T23 the team denies x, a local rule allows x: x stays denied, by the team rule, and the conflict is reported', async () => {
  const team = doc(2, { deniedTools: ['fs__x'] });
  const localPolicy = { rules: [{ id: 'let-x', tools: ['fs__x'], action: 'allow' }] };
  const p = layered(localPolicy, team);
  const refused = await p.admit(call(X));
  assert.equal(refused.ok, false);
  assert.equal(refused.rule, 'team:deniedTools[0]');
  assert.deepEqual(refused.detail, { team: { version: 2, rule: 'team:deniedTools[0]' } });
  assert.equal(p.visible('a', 'fs', X), false);
  const conflicts = ruleConflicts(team, local(localPolicy));
  assert.deepEqual(
    conflicts.map((c) => [c.local, c.team]),
    [['let-x', 'team:deniedTools[0]']],
  );
});

test('T23 a local rule may deny what the team allows', async () => {
  const p = layered({ rules: [{ tools: ['fs__y'], action: 'deny' }] }, doc(1, {}));
  const refused = await p.admit(call(Y));
  assert.equal(refused.ok, false);
  assert.equal(refused.rule, 'policy.rules[0]');
  assert.equal(p.visible('a', 'fs', Y), false);
  const allowed = await p.admit(call(X));
  assert.equal(allowed.ok, true);
  assert.deepEqual(allowed.detail, { team: { version: 1, rule: 'team:default' } });
});

test('a confirmation both policies ask for is asked once', async () => {
  let asked = 0;
  const confirm = async (): Promise<ConfirmAnswer> => {
    asked += 1;
    return { answer: 'accept' };
  };
  const p = layered(
    { rules: [{ tools: ['fs__x'], action: 'confirm' }] },
    doc(1, { policy: { rules: [{ tools: ['fs__x'], action: 'confirm' }] } }),
  );
  const admitted = await p.admit(call(X, { confirm }));
  assert.equal(admitted.ok, true);
  assert.equal(asked, 1);
});

test('rate limits of both policies take a token: the stricter one refuses first', async () => {
  const team = doc(1, { policy: { rateLimits: [{ id: 'team-limit', calls: 2, perSeconds: 3600 }] } });
  const p = layered({ rateLimits: [{ id: 'local-limit', calls: 1, perSeconds: 3600 }] }, team);
  assert.equal((await p.admit(call(X))).ok, true);
  const second = await p.admit(call(X));
  assert.equal(second.rule, 'local-limit');
  const third = await p.admit(call(X));
  assert.equal(third.rule, 'team:team-limit');
});

test('T90 a call decided while a new version is applied uses one version entirely, and says which', async () => {
  let release: (answer: ConfirmAnswer) => void = () => {};
  let asking: () => void = () => {};
  const asked = new Promise<void>((resolve) => (asking = resolve));
  const confirm = () =>
    new Promise<ConfirmAnswer>((resolve) => {
      release = resolve;
      asking();
    });
  // Version 1 asks before x runs; version 2 denies x. The call in the middle of its confirmation keeps version 1.
  const p = layered({}, doc(1, { policy: { rules: [{ tools: ['fs__x'], action: 'confirm' }] } }));
  const pending = p.admit(call(X, { confirm }));
  await asked;
  p.setTeam({ state: 'active', document: doc(2, { deniedTools: ['fs__x'] }), digest: 'd2', enforced: 'document' });
  release({ answer: 'accept' });
  const first = await pending;
  assert.equal(first.ok, true);
  assert.deepEqual(first.detail, { confirmation: 'accepted', team: { version: 1, rule: 'team:policy.rules[0]' } });
  const next = await p.admit(call(X));
  assert.equal(next.ok, false);
  assert.deepEqual(next.detail, { team: { version: 2, rule: 'team:deniedTools[0]' } });
});

test('pending, refused and stale-with-deny refuse every call and hide every tool', async () => {
  const p = layered({}, null);
  assert.equal((await p.admit(call(X))).ok, true);
  p.setTeam({ state: 'pending', reason: 'no team document has been received yet' });
  const refused = await p.admit(call(X));
  assert.equal(refused.rule, 'team:unavailable');
  assert.equal(p.visible('a', 'fs', X), false);
  p.setTeam({ state: 'stale', document: doc(3, {}), digest: 'd3', enforced: 'closed' });
  const stale = await p.admit(call(X));
  assert.equal(stale.ok, false);
  assert.match(stale.ok ? '' : JSON.stringify(stale.refusal), /version 3 expired/);
});

test('T23 for prompts and resources too: the team denies a prompt, a local rule allows it, it stays denied', async () => {
  const team = doc(3, { policy: { rules: [{ id: 'no-review', prompts: ['fs__review'], action: 'deny' }] } });
  const p = layered({ rules: [{ id: 'let-review', prompts: ['fs__review'], action: 'allow' }] }, team);
  const request = (kind: 'prompt' | 'resource', name: string) =>
    p.admitRequest({ client: 'a', server: 'fs', kind, name, args: {}, confirm: null });
  const refused = await request('prompt', 'review');
  assert.equal(refused.ok, false);
  assert.equal(refused.rule, 'team:no-review');
  assert.deepEqual(refused.detail, { team: { version: 3, rule: 'team:no-review' } });
  assert.equal(p.visibleItem('a', 'fs', 'prompt', 'review'), false);
  const narrowed = layered({ rules: [{ id: 'no-etc', resources: ['file:///etc/*'], action: 'deny' }] }, team);
  const read = await narrowed.admitRequest({
    client: 'a',
    server: 'fs',
    kind: 'resource',
    name: 'file:///etc/passwd',
    args: { uri: 'file:///etc/passwd' },
    confirm: null,
  });
  assert.equal(read.ok, false);
  assert.equal(read.rule, 'no-etc', 'a local rule narrows what the team allows');
  assert.equal((await request('resource', 'file:///home/a')).ok, true);
});
