import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkArgumentLimits } from '../../../main/policy/argument-limits.ts';
import { SchemaValidator } from '../../../main/policy/schema-validator.ts';

const strict = {
  type: 'object',
  properties: { name: { type: 'string' }, count: { type: 'integer' }, opts: { type: 'object' } },
  required: ['name', 'count'],
  additionalProperties: false,
};

test('T24 every problem is listed by JSON path', () => {
  const result = new SchemaValidator().check(strict, { count: 'three', extra: 1, 'odd key': 2 });
  assert.equal(result.ok, false);
  if (result.ok !== false) return;
  assert.deepEqual(result.problems, [
    { path: 'arguments.name', message: 'is required' },
    { path: 'arguments.extra', message: 'is not allowed (the schema permits no other properties)' },
    { path: 'arguments["odd key"]', message: 'is not allowed (the schema permits no other properties)' },
    { path: 'arguments.count', message: 'must be integer' },
  ]);
  assert.deepEqual(new SchemaValidator().check(strict, { name: 'n', count: 3 }), { ok: true });
});

test('T24 draft 2020-12 by default, draft-07 when the schema says so', () => {
  const validator = new SchemaValidator();
  const tuple2020 = { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false };
  assert.deepEqual(validator.check(tuple2020, ['a', 1]), { ok: true });
  assert.equal(validator.check(tuple2020, ['a', 1, 2]).ok, false);
  const tuple07 = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'array',
    items: [{ type: 'string' }, { type: 'number' }],
    additionalItems: false,
  };
  assert.deepEqual(validator.check(tuple07, ['a', 1]), { ok: true });
  const wrong = validator.check(tuple07, ['a', 'b', 3]);
  assert.equal(wrong.ok, false);
  if (wrong.ok === false) {
    assert.ok(wrong.problems.some((p) => p.path === 'arguments[1]' && /must be number/.test(p.message)));
  }
});

test('a schema that cannot be compiled leaves the call unchecked, saying why', () => {
  const result = new SchemaValidator().check({ $ref: '#/nowhere' }, {});
  assert.equal(result.ok, 'unchecked');
});

test('compiled once per definition; the cache is bounded', () => {
  const validator = new SchemaValidator({ maxEntries: 3 });
  const schema = { type: 'object', properties: { a: { type: 'string' } } };
  validator.check(schema, {});
  validator.check(structuredClone(schema), {});
  assert.equal(validator.size, 1, 'an equal definition shares the compiled schema');
  for (let i = 0; i < 10; i++)
    validator.check({ type: 'object', $id: `https://example.com/s${i % 2}`, title: `s${i}` }, {});
  assert.equal(validator.size, 3);
});

test('two servers may use the same $id', () => {
  const validator = new SchemaValidator();
  const one = { $id: 'https://example.com/same', type: 'object', required: ['a'] };
  const two = { $id: 'https://example.com/same', type: 'object', required: ['b'] };
  assert.equal(validator.check(one, { a: 1 }).ok, true);
  assert.equal(validator.check(two, { a: 1 }).ok, false);
  assert.equal(validator.check(one, { a: 1 }).ok, true);
});

const limits = { maxStringLength: 1_000_000, maxDepth: 64, maxArrayItems: 100_000 };

test('T25 long strings, deep nesting and huge arrays are refused with the limit and where', () => {
  assert.equal(checkArgumentLimits({ a: 'x'.repeat(1_000_000), b: [1, { c: 2 }] }, limits), null);
  assert.deepEqual(checkArgumentLimits({ big: { text: 'x'.repeat(2_000_000) } }, limits), {
    path: 'arguments.big.text',
    message: 'is 2000000 characters long, over the limit of 1000000 (policy.argumentLimits.maxStringLength)',
  });
  const items = checkArgumentLimits({ list: new Array(1_000_000).fill(0) }, limits);
  assert.equal(items?.path, 'arguments.list');
  assert.match(items?.message ?? '', /1000000 items, over the limit of 100000/);
  let deep: unknown = {};
  for (let i = 0; i < 200; i++) deep = { d: deep };
  const depth = checkArgumentLimits(deep, limits);
  assert.match(depth?.message ?? '', /deeper than the limit of 64 \(policy\.argumentLimits\.maxDepth\)/);
  assert.match(depth?.path ?? '', /^arguments\.d\.d/);
});

test('T25 arguments nested 100,000 deep are measured without overflowing the stack', () => {
  let deep: unknown = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.match(checkArgumentLimits({ deep }, limits)?.message ?? '', /deeper than the limit/);
});
