import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { policyRuleSchema, type PolicyRule } from '../../../main/config/policy-schema.ts';
import { globMatcher } from '../../../main/policy/glob.ts';
import { compileRules, decideByRules, listableByRules } from '../../../main/policy/rules.ts';
import { SchemaValidator } from '../../../main/policy/schema-validator.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const context = {
  validator: new SchemaValidator(),
  home: '/home/nobody',
  lookup: async (host: string) => (host === 'intranet.example' ? ['10.0.0.1'] : ['93.184.215.14']),
};
const rules = (list: unknown[]) => compileRules(list.map((r) => policyRuleSchema.parse(r) as PolicyRule));
const subject = (client: string, tool: string) =>
  ({ client, server: tool.split('__')[0]!, kind: 'tool', name: tool }) as const;

test('globs: * is any run, ? one character, everything else literal', () => {
  const m = globMatcher(['fs__read_*', 'a?c', 'x.y']);
  assert.equal(m('fs__read_file'), true);
  assert.equal(m('fs__write_file'), false);
  assert.equal(m('abc'), true);
  assert.equal(m('abbc'), false);
  assert.equal(m('x.y'), true);
  assert.equal(m('xzy'), false, '. is literal');
  assert.equal(globMatcher(undefined)('anything'), true);
  assert.equal(globMatcher([])('anything'), false);
});

test('globs with a wildcard take names with hyphens and other punctuation literally', () => {
  const m = globMatcher(['ops-*', 'mix-*__work', 'a/b-(c)[d]{e}|f+g^h$?']);
  assert.equal(m('ops-team'), true);
  assert.equal(m('opsXteam'), false, '- is literal');
  assert.equal(m('mix-01__work'), true);
  assert.equal(m('mix-01__read'), false);
  assert.equal(m('a/b-(c)[d]{e}|f+g^h$!'), true);
  assert.equal(m('a/b-c'), false);
});

test('T18 first match wins, and the decision names its rule', async () => {
  const list = rules([
    { id: 'no-delete-for-a', clients: ['a'], tools: ['fs__delete'], action: 'deny' },
    { tools: ['fs__*'], action: 'allow' },
    { action: 'deny' },
  ]);
  const a = await decideByRules(list, subject('a', 'fs__delete'), {}, 'allow', context);
  assert.deepEqual(a, {
    action: 'deny',
    rule: 'no-delete-for-a',
    reason: 'denied by policy rule no-delete-for-a',
    problems: null,
  });
  const b = await decideByRules(list, subject('b', 'fs__delete'), {}, 'allow', context);
  assert.deepEqual(b, { action: 'allow', rule: 'policy.rules[1]', matched: true });
  const other = await decideByRules(list, subject('b', 'web__get'), {}, 'allow', context);
  assert.equal(other.action, 'deny');
  assert.equal(other.rule, 'policy.rules[2]');
  const none = await decideByRules(rules([]), subject('b', 'web__get'), {}, 'allow', context);
  assert.deepEqual(none, { action: 'allow', rule: 'default', matched: false });
  assert.equal((await decideByRules(rules([]), subject('b', 'web__get'), {}, 'deny', context)).rule, 'default');
});

test('allow constraints are requirements; deny constraints are conditions', async () => {
  const list = rules([
    { id: 'no-sudo', tools: ['sh__run'], action: 'deny', arguments: { command: { pattern: '^sudo\\b' } } },
    {
      id: 'sh-limits',
      tools: ['sh__run'],
      action: 'allow',
      arguments: { command: { pattern: '^[a-z]' }, mode: { values: ['fast', 'safe'], optional: true } },
    },
  ]);
  const sudo = await decideByRules(list, subject('a', 'sh__run'), { command: 'sudo rm' }, 'allow', context);
  assert.equal(sudo.rule, 'no-sudo');
  assert.equal(sudo.action, 'deny');
  const ok = await decideByRules(list, subject('a', 'sh__run'), { command: 'ls' }, 'allow', context);
  assert.deepEqual(ok, { action: 'allow', rule: 'sh-limits', matched: true });
  const bad = await decideByRules(list, subject('a', 'sh__run'), { command: '/bin/ls', mode: 'x' }, 'allow', context);
  assert.equal(bad.action, 'deny');
  if (bad.action === 'deny') {
    assert.equal(bad.rule, 'sh-limits');
    assert.deepEqual(bad.problems, [
      { path: 'arguments.command', message: 'must match ^[a-z]' },
      { path: 'arguments.mode', message: 'must be one of "fast", "safe"' },
    ]);
  }
  const missing = await decideByRules(list, subject('a', 'sh__run'), {}, 'allow', context);
  assert.equal(missing.action, 'deny');
  if (missing.action === 'deny') {
    assert.deepEqual(missing.problems, [{ path: 'arguments.command', message: 'is required by the policy rule' }]);
  }
});

test('T19 path constraints apply to each item a wildcard names, and schema fragments hold', async (t) => {
  const root = await makeTempDir(t);
  const list = rules([
    {
      tools: ['fs__*'],
      action: 'allow',
      arguments: {
        'paths.*': { pathPrefix: [root] },
        depth: { schema: { type: 'integer', maximum: 3 }, optional: true },
      },
    },
  ]);
  const inside = { paths: [join(root, 'a'), join(root, 'b')] };
  assert.equal((await decideByRules(list, subject('a', 'fs__read'), inside, 'allow', context)).action, 'allow');
  const outside = await decideByRules(
    list,
    subject('a', 'fs__read'),
    { paths: [join(root, 'a'), `${root}/../etc/passwd`], depth: 9 },
    'allow',
    context,
  );
  assert.equal(outside.action, 'deny');
  if (outside.action === 'deny') {
    assert.deepEqual(
      outside.problems?.map((p) => p.path),
      ['arguments.paths[1]', 'arguments.depth'],
    );
    assert.match(outside.problems?.[1]?.message ?? '', /must be <= 3/);
  }
});

test('listing hides what a rule always denies, not what it denies only for some arguments', () => {
  const list = rules([
    { clients: ['a'], tools: ['fs__delete'], action: 'deny' },
    { tools: ['sh__run'], action: 'deny', arguments: { command: { pattern: 'sudo' } } },
    { tools: ['web__*'], action: 'allow' },
  ]);
  assert.equal(listableByRules(list, subject('a', 'fs__delete'), 'allow'), false);
  assert.equal(listableByRules(list, subject('b', 'fs__delete'), 'allow'), true);
  assert.equal(listableByRules(list, subject('a', 'sh__run'), 'allow'), true);
  assert.equal(listableByRules(list, subject('a', 'sh__run'), 'deny'), false);
  assert.equal(listableByRules(list, subject('a', 'web__get'), 'deny'), true);
});

test('T64 URL arguments must reach only public addresses, however the address is spelled', async () => {
  const list = rules([
    { id: 'public-fetch', tools: ['web__fetch'], action: 'allow', arguments: { url: { publicUrl: true } } },
  ]);
  const decide = (url: string) => decideByRules(list, subject('a', 'web__fetch'), { url }, 'allow', context);
  for (const url of [
    'http://169.254.169.254/latest/meta-data',
    'http://[::ffff:127.0.0.1]/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://intranet.example/',
    'file:///etc/passwd',
  ]) {
    const decision = await decide(url);
    assert.equal(decision.action, 'deny', url);
    if (decision.action === 'deny')
      assert.deepEqual(
        decision.problems?.map((p) => p.path),
        ['arguments.url'],
        url,
      );
  }
  const metadata = await decide('http://169.254.169.254/latest/meta-data');
  assert.match(metadata.action === 'deny' ? (metadata.problems?.[0]?.message ?? '') : '', /cloud-metadata/);
  assert.deepEqual(await decide('https://example.com/'), { action: 'allow', rule: 'public-fetch', matched: true });
});
