// The valid messages both fuzz targets start their mutations from, per protocol era, and the request text of each
// era for the fixed cases (a 2026-07-28 request carries the per-request envelope in `params._meta`).
import { envelope } from '../modern/modern-http.ts';

export type Message = Record<string, unknown>;

export function rpcText(id: unknown, method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

export function modernRpcText(id: unknown, method: string, params: unknown): string {
  const object = typeof params === 'object' && params !== null && !Array.isArray(params);
  return rpcText(id, method, object ? { ...params, _meta: envelope() } : params);
}

export const LEGACY_VALID: readonly Message[] = [
  { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
  { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'echo__echo', arguments: { text: 'hello' } } },
  { jsonrpc: '2.0', id: 2, method: 'ping' },
  { jsonrpc: '2.0', id: 3, method: 'resources/list', params: { cursor: 'x' } },
  { jsonrpc: '2.0', id: 4, method: 'resources/read', params: { uri: 'file:///x' } },
  { jsonrpc: '2.0', id: 5, method: 'prompts/get', params: { name: 'p', arguments: { a: 'b' } } },
  { jsonrpc: '2.0', id: 6, method: 'logging/setLevel', params: { level: 'debug' } },
  { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, reason: 'x' } },
  { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
  { jsonrpc: '2.0', id: 7, result: { roots: [] } },
];

export const MODERN_VALID: readonly Message[] = [
  { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope() } },
  {
    jsonrpc: '2.0',
    id: 2,
    method: 'tools/call',
    params: { name: 'echo__echo', arguments: { text: 'hi' }, _meta: envelope({ progressToken: 'p' }) },
  },
  { jsonrpc: '2.0', id: 3, method: 'server/discover', params: { _meta: envelope() } },
  { jsonrpc: '2.0', id: 4, method: 'resources/read', params: { uri: 'file:///x', _meta: envelope() } },
  {
    jsonrpc: '2.0',
    id: 5,
    method: 'tools/call',
    params: { name: 'echo__echo', inputResponses: {}, _meta: envelope() },
  },
  { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2, _meta: envelope() } },
];
