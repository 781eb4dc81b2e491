import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatProblem } from '../../../main/config/config-problems.ts';
import { validateConfig } from '../../../main/config/validate-config.ts';

const README = new URL('../../../README.md', import.meta.url);

test('the policy example in the README is a valid configuration', () => {
  const blocks = [...readFileSync(README, 'utf8').matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const example = blocks.find((b) => b.includes('"policy"'));
  assert.ok(example, 'the README shows a policy');
  const result = validateConfig(JSON.parse(example));
  assert.ok(result.ok, result.ok ? '' : result.problems.map(formatProblem).join('\n'));
  assert.equal(result.config.policy.rules.length, 3);
  assert.equal(result.config.policy.rules[0]?.arguments?.['command']?.pattern, '^sudo\\b');
});

test('without a policy section every default allows what was allowed before', () => {
  const result = validateConfig({});
  assert.ok(result.ok);
  assert.deepEqual(result.config.policy.rules, []);
  assert.equal(result.config.policy.defaultAction, 'allow');
  assert.equal(result.config.policy.destructive, 'allow');
  assert.equal(result.config.policy.readOnly, false);
  assert.equal(result.config.policy.validateArguments, true);
});

test('every problem of a policy is named by its JSON path', () => {
  const result = validateConfig({
    policy: {
      rules: [
        { tools: ['fs__*'], action: 'permit' },
        { action: 'allow', arguments: { path: { pattern: '([' }, mode: {}, depth: { schema: { type: 'integr' } } } },
        { action: 'deny', clients: [] },
      ],
      rateLimits: [{ calls: 0, perSeconds: 1 }],
      toolsets: { cursor: { tools: ['x'], readonly: true } },
      destructive: 'ask',
    },
  });
  assert.equal(result.ok, false);
  if (result.ok) return;
  const byPath = new Map(result.problems.map((p) => [p.path, p.message]));
  assert.match(byPath.get('policy.rules[0].action') ?? '', /must be "allow", "deny" or "confirm"/);
  assert.match(byPath.get('policy.rules[1].arguments.path.pattern') ?? '', /not a valid regular expression/);
  assert.match(byPath.get('policy.rules[1].arguments.mode') ?? '', /at least one of "schema"/);
  assert.match(byPath.get('policy.rules[1].arguments.depth.schema') ?? '', /not a valid JSON Schema/);
  assert.match(byPath.get('policy.rules[2].clients') ?? '', /at least one/);
  assert.ok(byPath.has('policy.rateLimits[0].calls'));
  assert.match(byPath.get('policy.toolsets.cursor.readonly') ?? '', /readOnly/);
  assert.match(byPath.get('policy.destructive') ?? '', /"allow", "confirm" .* or "deny"/);
});
