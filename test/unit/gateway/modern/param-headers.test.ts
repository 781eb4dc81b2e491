import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkParamHeaders, decodeHeaderValue, paramHeaders } from '../../../../main/gateway/modern/param-headers.ts';

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

test('annotations are found along properties only, on primitive types', () => {
  const schema = {
    type: 'object',
    properties: {
      region: { type: 'string', 'x-mcp-header': 'Region' },
      nested: { type: 'object', properties: { id: { type: 'integer', 'x-mcp-header': 'Id' } } },
      list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } },
      blob: { type: 'object', 'x-mcp-header': 'Blob' },
    },
  };
  assert.deepEqual(paramHeaders(schema), [
    { path: ['region'], name: 'Region', type: 'string' },
    { path: ['nested', 'id'], name: 'Id', type: 'integer' },
  ]);
  assert.deepEqual(paramHeaders({ type: 'object' }), []);
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
});
