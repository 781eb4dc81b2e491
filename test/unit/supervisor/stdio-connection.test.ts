import assert from 'node:assert/strict';
import { test } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { isModernOnlyStdioRefusal } from '../../../main/supervisor/stdio-connection.ts';

test('over stdio, only -32022 with 2026-07-28 among data.supported means a server that speaks only that', () => {
  const refusal = (code: number, data?: unknown) => new McpError(code, 'Unsupported protocol version', data);
  assert.equal(isModernOnlyStdioRefusal(refusal(-32022, { supported: ['2026-07-28'], requested: '2025-11-25' })), true);
  assert.equal(isModernOnlyStdioRefusal(refusal(-32022, { supported: ['2025-06-18'] })), false, 'another revision');
  assert.equal(isModernOnlyStdioRefusal(refusal(-32022)), false, 'no data');
  assert.equal(isModernOnlyStdioRefusal(refusal(-32022, { supported: '2026-07-28' })), false, 'not a list');
  assert.equal(isModernOnlyStdioRefusal(refusal(-32602, { supported: ['2026-07-28'] })), false, 'another code');
  const plain = Object.assign(new Error('x'), { code: -32022, data: { supported: ['2026-07-28'] } });
  assert.equal(isModernOnlyStdioRefusal(plain), false, 'not an MCP error');
});
