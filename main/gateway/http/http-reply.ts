// Every refusal the gateway writes is a JSON-RPC error body with a fitting HTTP status, so an MCP client shows the
// user a message instead of failing to parse an HTML page.
import type { ServerResponse } from 'node:http';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/** JSON-RPC codes the gateway uses beyond the SDK's ErrorCode set. */
export const GatewayErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Server-defined range: the request was refused by the gateway itself (auth, origin, limits). */
  Refused: -32001,
  BodyTooLarge: -32002,
  ServerUnavailable: -32003,
  Timeout: -32004,
} as const;

export function replyError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  options: { id?: RequestId | null; headers?: Record<string, string>; data?: unknown } = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({
    jsonrpc: '2.0',
    ...(options.id === undefined ? {} : { id: options.id }),
    error: { code, message, ...(options.data === undefined ? {} : { data: options.data }) },
  });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...options.headers,
  });
  res.end(body);
}

export function replyJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
