import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { configErrorMap, describeValue } from '../../../main/config/issue-messages.ts';

function messages(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value, { error: configErrorMap });
  assert.equal(result.success, false);
  return result.error?.issues.map((i) => i.message) ?? [];
}

test('values are quoted back the way they were written', () => {
  assert.equal(describeValue('abc'), '"abc"');
  assert.equal(describeValue(5), '5');
  assert.equal(describeValue(false), 'false');
  assert.equal(describeValue(null), 'null');
  assert.equal(describeValue(undefined), 'nothing');
  assert.equal(describeValue([1]), 'an array');
  assert.equal(describeValue({}), 'an object');
  assert.equal(describeValue('x'.repeat(100)), JSON.stringify(`${'x'.repeat(37)}...`));
});

test('type, value and size problems say what to write instead', () => {
  assert.deepEqual(messages(z.number(), 'x'), ['must be a number, not "x"']);
  assert.deepEqual(messages(z.number().int(), 1.5), ['must be a whole number, not 1.5']);
  assert.deepEqual(messages(z.boolean(), 'yes'), ['must be true or false, not "yes"']);
  assert.deepEqual(messages(z.array(z.string()), 'a'), ['must be an array (in [brackets]), not "a"']);
  assert.deepEqual(messages(z.literal(1), 2), ['must be 1, not 2']);
  assert.deepEqual(messages(z.enum(['a', 'b']), 'c'), ['must be one of "a", "b", not "c"']);
  assert.deepEqual(messages(z.number().min(10), 5), ['must be at least 10, not 5']);
  assert.deepEqual(messages(z.number().max(10), 50), ['must be at most 10, not 50']);
  assert.deepEqual(messages(z.number().gt(0), 0), ['must be more than 0, not 0']);
  assert.deepEqual(messages(z.string().min(1), ''), ['must not be empty']);
  assert.deepEqual(messages(z.string().max(3), 'abcd'), ['must be at most 3 characters long']);
  assert.deepEqual(messages(z.array(z.number()).min(2), [1]), ['must have at least 2 items']);
  assert.deepEqual(messages(z.string().regex(/^a+$/), 'b'), ['must match the pattern /^a+$/']);
});

test("a schema's own message wins over the map", () => {
  assert.deepEqual(messages(z.string().min(1, 'needs a name'), ''), ['needs a name']);
});
