import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { checkToolOutput } from '../../../../main/gateway/aggregate/output-check.ts';
import { SchemaValidator } from '../../../../main/policy/schema-validator.ts';

const STATS: Tool = {
  name: 'stats',
  inputSchema: { type: 'object' },
  outputSchema: {
    type: 'object',
    properties: { count: { type: 'integer' }, label: { type: 'string' } },
    required: ['count'],
  },
};
const where = 'server "fs", tool "stats"';
const check = (definition: Tool | undefined, result: object) =>
  checkToolOutput(definition, { content: [], ...result }, new SchemaValidator(), where);

test('T66 structured content matching the outputSchema passes', () => {
  assert.deepEqual(check(STATS, { structuredContent: { count: 3 } }), { ok: true, note: null });
});

test('T66 structured content breaking the outputSchema is refused, naming server, tool and each problem', () => {
  const checked = check(STATS, { structuredContent: { count: 'three', label: 4 } });
  assert.equal(checked.ok, false);
  if (checked.ok) return;
  assert.match(
    checked.message,
    /^server "fs", tool "stats": the server's result was withheld because its structuredContent does not match/,
  );
  assert.deepEqual(checked.problems, [
    { path: 'structuredContent.count', message: 'must be integer' },
    { path: 'structuredContent.label', message: 'must be string' },
  ]);
});

test('T66 a tool with an outputSchema that returns no structured content is refused', () => {
  const checked = check(STATS, {});
  assert.equal(checked.ok, false);
  if (!checked.ok) assert.match(checked.message, /has no structuredContent, though the tool declares an outputSchema/);
});

test('tool errors, tools without an outputSchema and unknown tools are not checked', () => {
  assert.equal(check(STATS, { isError: true }).ok, true);
  assert.equal(check({ ...STATS, outputSchema: undefined }, { structuredContent: { count: 'x' } }).ok, true);
  assert.equal(check(undefined, { structuredContent: { count: 'x' } }).ok, true);
});

test('an outputSchema that cannot be compiled leaves the result unchecked, with a note', () => {
  const broken = { ...STATS, outputSchema: { type: 'object', properties: { a: { $ref: '#/nowhere' } } } } as Tool;
  const checked = check(broken, { structuredContent: { a: 1 } });
  assert.equal(checked.ok, true);
  if (checked.ok) assert.match(checked.note ?? '', /^not checked: /);
});
