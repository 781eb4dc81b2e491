import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { policySchema, type PolicyConfig } from '../../../main/config/policy-schema.ts';
import type { ConfirmAnswer, ConfirmRequest } from '../../../main/policy/confirmation.ts';
import { PolicyEngine, type PolicyCall } from '../../../main/policy/policy-engine.ts';
import { toolDefinitionHash } from '../../../main/policy/tool-definition-hash.ts';

const tool = (name: string, annotations: Tool['annotations'] = {}): Tool => ({
  name,
  inputSchema: { type: 'object', properties: { path: { type: 'string' } } },
  annotations,
});
const READ = tool('read', { readOnlyHint: true });
const DELETE = tool('delete', { destructiveHint: true });
const WRITE = tool('write', { readOnlyHint: false, destructiveHint: false });

function engine(policy: unknown, now = () => 0): PolicyEngine {
  return new PolicyEngine({ policy: policySchema.parse(policy) as PolicyConfig, separator: '__', now, home: '/h' });
}
function call(definition: Tool, more: Partial<PolicyCall> = {}): PolicyCall {
  return { client: 'a', server: 'fs', tool: definition.name, definition, args: {}, confirm: null, ...more };
}

test('without a policy section every call is allowed by the default rule', async () => {
  const e = engine({});
  const admitted = await e.admit(call(DELETE));
  assert.equal(admitted.ok, true);
  assert.equal(admitted.rule, 'default');
  assert.equal(e.visible('a', 'fs', DELETE), true);
});

test('T60 an untrusted server claiming read-only is not believed; a trusted one is', async () => {
  const untrusted = engine({ readOnly: true });
  assert.equal(untrusted.visible('a', 'fs', READ), false);
  const refused = await untrusted.admit(call(READ));
  assert.equal(refused.ok, false);
  if (!refused.ok) {
    assert.equal(refused.rule, 'policy.readOnly');
    assert.deepEqual(refused.detail, { annotations: 'annotation ignored: untrusted server' });
  }
  const trusted = engine({ readOnly: true, trustedServers: ['f*'] });
  assert.equal(trusted.visible('a', 'fs', READ), true);
  assert.equal(trusted.visible('a', 'fs', WRITE), false);
  assert.equal((await trusted.admit(call(READ))).ok, true);
  assert.equal((await trusted.admit(call(WRITE))).ok, false);
});

test('T60 destructiveHint false from an untrusted server still counts as destructive', async () => {
  const untrusted = engine({ destructive: 'deny' });
  const refused = await untrusted.admit(call(WRITE));
  assert.equal(refused.ok, false);
  if (!refused.ok) {
    assert.equal(refused.rule, 'policy.destructive');
    assert.deepEqual(refused.detail, { annotations: 'annotation ignored: untrusted server' });
  }
  assert.equal(untrusted.visible('a', 'fs', WRITE), false);
  const trusted = engine({ destructive: 'deny', trustedServers: ['fs'] });
  assert.equal((await trusted.admit(call(WRITE))).ok, true);
  assert.equal((await trusted.admit(call(DELETE))).ok, false);
  assert.equal(trusted.visible('a', 'fs', DELETE), false);
  assert.equal(trusted.visible('a', 'fs', READ), true);
});

test('T21 confirm asks the client with the full arguments; accept runs, decline is a tool error', async () => {
  const e = engine({ destructive: 'confirm', trustedServers: ['fs'] });
  const asked: ConfirmRequest[] = [];
  const answering = (answer: ConfirmAnswer) => async (request: ConfirmRequest) => {
    asked.push(request);
    return answer;
  };
  const args = { path: '/tmp/x/a.txt', note: 'x'.repeat(50) };
  const accepted = await e.admit(call(DELETE, { args, confirm: answering({ answer: 'accept' }) }));
  assert.equal(accepted.ok, true);
  assert.equal(accepted.rule, 'policy.destructive');
  assert.deepEqual(accepted.detail, { confirmation: 'accepted' });
  assert.match(asked[0]!.message, /fs__delete on server "fs"/);
  assert.ok(asked[0]!.message.includes(JSON.stringify(args, null, 2)), 'the full arguments are shown');

  const declined = await e.admit(call(DELETE, { args, confirm: answering({ answer: 'decline' }) }));
  assert.equal(declined.ok, false);
  if (!declined.ok) {
    assert.equal(declined.refusal.kind, 'tool-error');
    assert.deepEqual(declined.detail, { confirmation: 'declined' });
  }
  const cannot = await e.admit(call(DELETE, { args, confirm: null }));
  assert.equal(cannot.ok, false);
  if (!cannot.ok && cannot.refusal.kind === 'refused') {
    assert.match(cannot.refusal.message, /did not declare the elicitation capability/);
  }
  assert.equal((await e.admit(call(READ))).ok, true, 'read-only tools are not asked about');
  assert.equal(asked.length, 2);
});

test('an explicit rule decides before the destructive mode does', async () => {
  const e = engine({
    destructive: 'deny',
    trustedServers: ['fs'],
    rules: [
      { id: 'ok', clients: ['ops'], tools: ['fs__delete'], action: 'allow' },
      { id: 'ask', clients: ['dev'], tools: ['fs__delete'], action: 'confirm' },
    ],
  });
  assert.equal((await e.admit(call(DELETE, { client: 'ops' }))).rule, 'ok');
  const dev = await e.admit(call(DELETE, { client: 'dev', confirm: async () => ({ answer: 'accept' }) }));
  assert.equal(dev.ok, true);
  assert.equal(dev.rule, 'ask');
  assert.equal((await e.admit(call(DELETE, { client: 'other' }))).rule, 'policy.destructive');
  assert.equal(e.visible('ops', 'fs', DELETE), true);
  assert.equal(e.visible('other', 'fs', DELETE), false);
});

test('T18 toolsets: a tool outside the client toolset is unknown to it; "*" covers clients not named', async () => {
  const e = engine({
    toolsets: { cursor: { servers: ['docs'], tools: ['fs__read'] }, '*': { tools: ['fs__*'], readOnly: true } },
    trustedServers: ['*'],
  });
  assert.equal(e.visible('cursor', 'fs', READ), true);
  assert.equal(e.visible('cursor', 'fs', DELETE), false);
  assert.equal(e.visible('cursor', 'docs', DELETE), true);
  const hidden = await e.admit(call(DELETE, { client: 'cursor' }));
  assert.equal(hidden.ok, false);
  if (!hidden.ok) {
    assert.equal(hidden.outcome, 'unknown-tool');
    assert.equal(hidden.rule, 'policy.toolsets.cursor');
  }
  assert.equal(e.visible('someone', 'fs', READ), true);
  assert.equal(e.visible('someone', 'fs', DELETE), false, 'the "*" toolset is read-only');
  const other = await e.admit(call(DELETE, { client: 'someone' }));
  assert.equal(other.rule, 'policy.toolsets["*"].readOnly');
});

test('T22 rate limits and concurrency caps answer with the rule and when to retry', async () => {
  let now = 0;
  const e = engine({ rateLimits: [{ id: 'burst', calls: 2, perSeconds: 10 }], concurrency: { fs: 1 } }, () => now);
  const first = await e.admit(call(READ));
  assert.equal(first.ok, true);
  const busy = await e.admit(call(READ));
  assert.equal(busy.ok, false);
  if (!busy.ok) {
    assert.equal(busy.rule, 'policy.concurrency.fs');
    assert.equal(busy.outcome, 'throttled');
  }
  if (first.ok) first.release();
  const limited = await e.admit(call(READ));
  assert.equal(limited.ok, false, 'the refused call above still took a token: two calls were counted');
  if (!limited.ok && limited.refusal.kind === 'refused') {
    assert.equal(limited.rule, 'burst');
    assert.deepEqual(limited.refusal.data, { rule: 'burst', retryAfterMs: 5_000 });
  }
  now = 5_000;
  assert.equal((await e.admit(call(READ))).ok, true);
});

test('arguments are checked against the inputSchema after the rules, every problem listed', async () => {
  const e = engine({});
  const refused = await e.admit(call(READ, { args: { path: 3 } }));
  assert.equal(refused.ok, false);
  if (!refused.ok && refused.refusal.kind === 'tool-error') {
    assert.equal(refused.rule, 'inputSchema');
    assert.deepEqual(refused.refusal.problems, [{ path: 'arguments.path', message: 'must be string' }]);
  }
  const off = engine({ validateArguments: false });
  assert.equal((await off.admit(call(READ, { args: { path: 3 } }))).ok, true);
});

test('a changed policy is announced once, and applies to the next call', async () => {
  const e = engine({});
  let changes = 0;
  e.on('changed', () => (changes += 1));
  e.setPolicy(policySchema.parse({}));
  assert.equal(changes, 0);
  e.setPolicy(policySchema.parse({ defaultAction: 'deny' }));
  assert.equal(changes, 1);
  assert.equal((await e.admit(call(READ))).ok, false);
});

test('a rule naming tools leaves prompts and resources alone; one naming prompts leaves tools alone', async () => {
  const e = engine({
    defaultAction: 'deny',
    rules: [
      { id: 'tools', tools: ['fs__*'], action: 'allow' },
      { id: 'review', prompts: ['fs__review'], action: 'allow' },
      { id: 'etc', resources: ['file:///etc/*'], action: 'deny' },
      { id: 'everything', clients: ['root'], action: 'allow' },
    ],
  });
  const request = (kind: 'prompt' | 'resource', name: string, client = 'a') =>
    e.admitRequest({ client, server: 'fs', kind, name, args: {}, confirm: null });
  assert.equal((await e.admit(call(READ))).rule, 'tools');
  assert.equal((await request('prompt', 'review')).rule, 'review');
  const other = await request('prompt', 'other');
  assert.equal(other.ok, false);
  assert.equal(other.rule, 'default', 'the tools rule does not let a prompt through');
  assert.equal((await request('resource', 'file:///etc/passwd')).rule, 'etc');
  assert.equal((await request('resource', 'file:///etc/passwd', 'root')).rule, 'etc', 'first match wins');
  assert.equal((await request('resource', 'file:///home/x', 'root')).rule, 'everything', 'a rule naming no kind');
  assert.equal(e.visibleItem('a', 'fs', 'prompt', 'review'), true);
  assert.equal(e.visibleItem('a', 'fs', 'prompt', 'other'), false);
  assert.equal(e.visibleItem('root', 'fs', 'resource', 'file:///etc/passwd'), false);
  assert.equal(e.visibleItem('root', 'fs', 'resource', 'file:///home/x'), true);
});

test('policy.toolQuality hides a tool failing a blocked lint rule and refuses its call, naming the rule', async () => {
  const e = engine({ toolQuality: { block: ['description-missing'] } });
  assert.equal(e.visible('a', 'fs', READ), false);
  const described = { ...READ, description: 'Reads a file and returns its text.' };
  assert.equal(e.visible('a', 'fs', described), true);
  const refused = await e.admit(call(READ));
  assert.equal(refused.ok, false);
  if (refused.ok) return;
  assert.equal(refused.rule, 'policy.toolQuality');
  assert.equal(refused.outcome, 'denied');
  assert.deepEqual(refused.detail, { toolQuality: [{ rule: 'description-missing', path: 'description' }] });
  assert.equal(refused.refusal.kind, 'refused');
  if (refused.refusal.kind === 'refused') {
    assert.match(refused.refusal.message, /^fs__read: refused by policy\.toolQuality: .*lint rule description-missing/);
    assert.deepEqual(refused.refusal.data, {
      rule: 'policy.toolQuality',
      lint: [{ rule: 'description-missing', path: 'description' }],
    });
  }
  assert.equal((await e.admit(call(described))).ok, true);
});

test('policy.toolQuality.blockSeverity blocks any finding that severe; findings come from the given linter', async () => {
  const described = { ...READ, description: 'Reads a file and returns its text.' };
  const bySeverity = engine({ toolQuality: { blockSeverity: 'info' } });
  // READ's parameter has no description (a warning): blocked at "info"; without the section nothing is.
  assert.equal(bySeverity.visible('a', 'fs', described), false);
  assert.equal(engine({}).visible('a', 'fs', described), true);
  const withCollisions = new PolicyEngine({
    policy: policySchema.parse({ toolQuality: { block: ['name-collision'] } }) as PolicyConfig,
    separator: '__',
    findings: (server, t) =>
      t.name === 'read'
        ? [{ rule: 'name-collision', severity: 'error', path: 'name', message: `${server}: clash` }]
        : [],
  });
  assert.equal(withCollisions.visible('a', 'fs', described), false);
  assert.equal(withCollisions.visible('a', 'fs', WRITE), true);
});

test('policy.toolQuality names unknown rule ids and severities where they are', () => {
  const parsed = policySchema.safeParse({
    toolQuality: { block: ['description-missing', 'vague'], blockSeverity: 'bad' },
  });
  assert.equal(parsed.success, false);
  if (parsed.success) return;
  const paths = parsed.error.issues.map((i) => i.path.join('.'));
  assert.deepEqual(paths.sort(), ['toolQuality.block.1', 'toolQuality.blockSeverity']);
  assert.match(parsed.error.issues.find((i) => i.path[1] === 'block')!.message, /must be one of: description-missing/);
});

test('T28 policy.pinnedTools: a tool whose hash differs is hidden and refused, whatever the local gate says', async () => {
  const pinned = toolDefinitionHash(READ);
  let gateAsked = 0;
  const gate = { check: () => (gateAsked++, null), on: () => undefined };
  const e = new PolicyEngine({
    policy: policySchema.parse({ pinnedTools: { fs: { read: pinned, delete: `sha256:${'0'.repeat(64)}` } } }),
    separator: '__',
    definitions: gate,
  });
  assert.ok(e.visible('c', 'fs', READ));
  assert.ok(!e.visible('c', 'fs', DELETE));
  assert.ok(e.visible('c', 'other', DELETE), 'other servers are not pinned');
  const refused = await e.admit(call(DELETE));
  assert.ok(!refused.ok);
  assert.equal(refused.rule, 'policy.pinnedTools.fs.delete');
  assert.equal(refused.outcome, 'denied');
  assert.ok(
    refused.refusal.kind === 'refused' && /fs__delete: definition changed since approval/.test(refused.refusal.message),
  );
  const unknown = await e.admit({ ...call(READ), definition: undefined });
  assert.equal(unknown.ok, false, 'a tool without a known definition cannot match its pin');
  assert.ok((await e.admit(call(READ))).ok);
  assert.ok(gateAsked > 0, 'the local gate is asked after the team pin passes');
});

test('a definition gate refusal hides the tool and is the refusal of its calls', async () => {
  const gate = {
    check: (_server: string, t: Tool) =>
      t.name === 'read' ? { rule: 'tool-pinning', reason: 'definition changed since approval', data: {} } : null,
    on: () => undefined,
  };
  const e = new PolicyEngine({ policy: policySchema.parse({}), separator: '__', definitions: gate });
  assert.ok(!e.visible('c', 'fs', READ));
  assert.ok(e.visible('c', 'fs', WRITE));
  const refused = await e.admit(call(READ));
  assert.ok(!refused.ok && refused.refusal.kind === 'refused');
  assert.deepEqual(refused.refusal.data, { rule: 'tool-pinning' });
});
