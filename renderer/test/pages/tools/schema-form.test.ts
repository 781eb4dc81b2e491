import { describe, expect, it } from 'vitest';
import { argumentsOf, argumentsOfJson, planOf } from '../../../src/pages/tools/schema-form.ts';

const schema = {
  type: 'object',
  properties: {
    message: { type: 'string', description: 'What to echo' },
    count: { type: 'integer', default: 3 },
    ratio: { type: 'number' },
    loud: { type: 'boolean' },
    mode: { enum: ['fast', 'slow'] },
    tags: { type: 'array', items: { type: 'string' } },
    options: { type: 'object', properties: { depth: { type: 'number' } } },
  },
  required: ['message', 'count'],
};

describe('schema form', () => {
  it('makes a field of each property, by kind', () => {
    const plan = planOf(schema);
    expect(plan.mode).toBe('fields');
    if (plan.mode !== 'fields') return;
    expect(plan.fields.map((f) => [f.name, f.kind, f.required, f.initial])).toEqual([
      ['message', 'string', true, ''],
      ['count', 'integer', true, '3'],
      ['ratio', 'number', false, ''],
      ['loud', 'boolean', false, ''],
      ['mode', 'enum', false, ''],
      ['tags', 'string-array', false, ''],
      ['options', 'json', false, ''],
    ]);
  });

  it('builds typed arguments and leaves empty optional fields out', () => {
    const plan = planOf(schema);
    if (plan.mode !== 'fields') throw new Error('expected fields');
    const built = argumentsOf(plan.fields, {
      message: 'hi',
      count: '7',
      ratio: '',
      loud: 'false',
      mode: '"slow"',
      tags: 'a\nb',
      options: '{"depth": 2}',
    });
    expect(built).toEqual({
      ok: true,
      value: { message: 'hi', count: 7, loud: false, mode: 'slow', tags: ['a', 'b'], options: { depth: 2 } },
    });
  });

  it('names each field it cannot read', () => {
    const plan = planOf(schema);
    if (plan.mode !== 'fields') throw new Error('expected fields');
    expect(argumentsOf(plan.fields, { message: '', count: '2.5', ratio: 'x', options: '{' })).toEqual({
      ok: false,
      problems: {
        message: 'is required',
        count: 'must be a whole number',
        ratio: 'must be a number',
        options: expect.stringContaining('is not JSON') as unknown as string,
      },
    });
  });

  it('edits a schema that is not a plain object as JSON', () => {
    expect(planOf({ oneOf: [{ type: 'object' }, { type: 'object' }] })).toEqual({
      mode: 'json',
      reason: 'the input schema uses oneOf',
    });
    expect(argumentsOfJson('[1]')).toEqual({ ok: false, problems: { '': 'Arguments must be a JSON object, {…}.' } });
    expect(argumentsOfJson('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });
});
