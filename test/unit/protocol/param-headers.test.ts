import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkParamHeaders,
  decodeHeaderValue,
  encodeHeaderValue,
  mirroredParamHeaders,
  paramHeaders,
  scanParamHeaders,
} from '../../../main/protocol/param-headers.ts';

test('base64 sentinels are decoded strictly; anything else is literal', () => {
  assert.equal(decodeHeaderValue('=?base64?SGVsbG8sIOS4lueVjA==?='), 'Hello, 世界');
  assert.equal(decodeHeaderValue('plain'), 'plain');
  assert.equal(decodeHeaderValue('=?base64?abc'), '=?base64?abc');
  assert.equal(decodeHeaderValue('SGVsbG8=?='), 'SGVsbG8=?=');
  assert.equal(decodeHeaderValue('=?base64??='), '');
  assert.equal(decodeHeaderValue('=?base64?SGVsbG8?='), undefined, 'missing padding');
  assert.equal(decodeHeaderValue('=?base64?SGVs!!!bG8=?='), undefined, 'invalid characters');
  assert.equal(decodeHeaderValue(`=?base64?${Buffer.from([0xff, 0xfe]).toString('base64')}?=`), undefined, 'not UTF-8');
});

test('values that are not plain visible ASCII travel base64-encoded, and decode back', () => {
  for (const value of ['plain', 'with inner space', 'tab\tinside']) assert.equal(encodeHeaderValue(value), value);
  for (const value of ['Grüße', ' padded ', 'line\nbreak', '=?base64?looks?=', '']) {
    assert.match(encodeHeaderValue(value), /^=\?base64\?.*\?=$/, JSON.stringify(value));
    assert.equal(decodeHeaderValue(encodeHeaderValue(value)), value);
  }
});

test('annotations are found along chains of properties, at any depth', () => {
  const schema = {
    type: 'object',
    properties: {
      region: { type: 'string', 'x-mcp-header': 'Region' },
      nested: { type: 'object', properties: { id: { type: 'integer', 'x-mcp-header': 'Id' } } },
      plain: { type: 'string' },
    },
  };
  assert.deepEqual(scanParamHeaders(schema), {
    valid: true,
    declared: [
      { path: ['region'], name: 'Region', type: 'string' },
      { path: ['nested', 'id'], name: 'Id', type: 'integer' },
    ],
  });
  assert.deepEqual(scanParamHeaders({ type: 'object' }), { valid: true, declared: [] });
});

test('a definition that breaks a constraint on its annotations is invalid, and declares no header', () => {
  const withProperty = (property: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    type: 'object',
    properties: { ok: { type: 'string', 'x-mcp-header': 'Ok' }, bad: property },
    ...extra,
  });
  const invalid: [string, unknown, RegExp][] = [
    ['under items', withProperty({ type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } }), /properties/],
    ['under anyOf', withProperty({ anyOf: [{ type: 'string', 'x-mcp-header': 'Any' }] }), /properties/],
    [
      'under $defs',
      withProperty({ type: 'string' }, { $defs: { d: { type: 'string', 'x-mcp-header': 'D' } } }),
      /properties/,
    ],
    ['on the root', { type: 'object', 'x-mcp-header': 'Root' }, /properties/],
    ['on an object', withProperty({ type: 'object', 'x-mcp-header': 'Blob' }), /only string, integer and boolean/],
    ['with no type', withProperty({ 'x-mcp-header': 'Untyped' }), /only string, integer and boolean/],
    ['empty', withProperty({ type: 'string', 'x-mcp-header': '' }), /token/],
    ['not a token', withProperty({ type: 'string', 'x-mcp-header': 'Two words' }), /token/],
    ['not a string', withProperty({ type: 'string', 'x-mcp-header': 7 }), /token/],
    ['repeated in another case', withProperty({ type: 'string', 'x-mcp-header': 'OK' }), /repeats "Ok"/],
  ];
  for (const [what, schema, reason] of invalid) {
    const scan = scanParamHeaders(schema);
    assert.equal(scan.valid, false, what);
    assert.match(scan.valid ? '' : scan.reason, reason, what);
    assert.deepEqual(paramHeaders(schema), [], what);
  }
});

test('a number property may not be annotated, but its header is still checked and sent, as the SDK does', () => {
  const schema = { type: 'object', properties: { size: { type: 'number', 'x-mcp-header': 'Size' } } };
  const scan = scanParamHeaders(schema);
  assert.equal(scan.valid, false);
  assert.match(scan.valid ? '' : scan.reason, /of type number/);
  assert.deepEqual(paramHeaders(schema), [{ path: ['size'], name: 'Size', type: 'number' }]);
});

test('a call carries one header per annotated argument present, encoded when it must be', () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string', 'x-mcp-header': 'Name' },
      count: { type: 'integer', 'x-mcp-header': 'Count' },
      flag: { type: 'boolean', 'x-mcp-header': 'Flag' },
      deep: { type: 'object', properties: { id: { type: 'string', 'x-mcp-header': 'Deep-Id' } } },
    },
  };
  assert.deepEqual(mirroredParamHeaders(schema, { name: 'Zoë', count: 3, flag: false, deep: { id: 'x' } }), {
    'mcp-param-name': '=?base64?Wm/Dqw==?=',
    'mcp-param-count': '3',
    'mcp-param-flag': 'false',
    'mcp-param-deep-id': 'x',
  });
  assert.deepEqual(mirroredParamHeaders(schema, { name: null, count: 2 ** 60 }), {}, 'null, and beyond 2^53');
  assert.deepEqual(mirroredParamHeaders(undefined, { name: 'a' }), {}, 'a tool not listed');
});

test('each present argument needs its header, decoding to the same value; numbers compare as numbers', () => {
  const declared = paramHeaders({
    type: 'object',
    properties: {
      name: { type: 'string', 'x-mcp-header': 'Name' },
      count: { type: 'integer', 'x-mcp-header': 'Count' },
      flag: { type: 'boolean', 'x-mcp-header': 'Flag' },
    },
  });
  const headers = (values: Record<string, string>) => (name: string) => values[name];
  const ok = { 'mcp-param-name': 'Ada', 'mcp-param-count': '2.0', 'mcp-param-flag': 'true' };
  assert.equal(checkParamHeaders(declared, { name: 'Ada', count: 2, flag: true }, headers(ok)), null);
  assert.equal(checkParamHeaders(declared, { name: null }, headers({})), null, 'null and absent need no header');
  assert.match(checkParamHeaders(declared, { name: 'Ada' }, headers({}))!.detail, /missing/);
  assert.match(
    checkParamHeaders(declared, { name: 'Ada' }, headers({ 'mcp-param-name': 'Bob' }))!.detail,
    /does not match/,
  );
  assert.match(
    checkParamHeaders(
      declared,
      { name: 'Ada', count: 2 },
      headers({ 'mcp-param-name': 'Ada', 'mcp-param-count': '3' }),
    )!.header,
    /Mcp-Param-Count/,
  );
  assert.equal(checkParamHeaders(declared, { name: 'Ada' }, headers({ 'mcp-param-name': '=?base64?QWRh?=' })), null);
  assert.match(
    checkParamHeaders(declared, { name: 'Ada' }, headers({ 'mcp-param-name': '=?base64?QWR?=' }))!.detail,
    /invalid/,
  );
  assert.equal(checkParamHeaders(declared, { name: 'Ada' }, headers({ 'mcp-param-name': ' \tAda\t ' })), null, 'OWS');
  assert.equal(checkParamHeaders(declared, { count: 2 ** 60 }, headers({})), null, 'no header beyond 2^53');
});
