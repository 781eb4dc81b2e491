// Turns a POST body into JSON-RPC messages, with the error codes the catalogue fixes (T14, T52): -32700 when the
// body is not JSON, -32600 when it is JSON but not a valid JSON-RPC message, and batches only where the session's
// protocol version has them.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { checkJsonRpcMessage } from '../../protocol/jsonrpc-message.ts';
import { GatewayErrorCode } from './http-reply.ts';

export const MAX_BATCH = 32;

export type ParsedBody =
  | { readonly ok: true; readonly messages: readonly JSONRPCMessage[]; readonly batch: boolean }
  | { readonly ok: false; readonly code: number; readonly message: string };

/** Batches were added in 2025-03-26 and removed in 2025-06-18. */
export function versionAllowsBatches(version: string | null): boolean {
  return version === '2025-03-26';
}

export function parseJsonRpcBody(body: Buffer, batchesAllowed: boolean): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { ok: false, code: GatewayErrorCode.ParseError, message: `Parse error: ${(error as Error).message}` };
  }
  if (Array.isArray(value)) {
    if (!batchesAllowed) {
      return {
        ok: false,
        code: GatewayErrorCode.InvalidRequest,
        message: 'Invalid Request: JSON-RPC batches are only accepted on sessions negotiated at 2025-03-26',
      };
    }
    if (value.length === 0)
      return { ok: false, code: GatewayErrorCode.InvalidRequest, message: 'Invalid Request: empty batch' };
    if (value.length > MAX_BATCH) {
      return {
        ok: false,
        code: GatewayErrorCode.InvalidRequest,
        message: `Invalid Request: a batch holds at most ${MAX_BATCH} messages`,
      };
    }
    const messages: JSONRPCMessage[] = [];
    for (const [index, item] of value.entries()) {
      const one = validate(item, `batch[${index}]: `);
      if (!one.ok) return one;
      if ('method' in one.message && one.message.method === 'initialize') {
        return {
          ok: false,
          code: GatewayErrorCode.InvalidRequest,
          message: 'Invalid Request: initialize cannot be batched',
        };
      }
      messages.push(one.message);
    }
    return { ok: true, messages, batch: true };
  }
  const one = validate(value, '');
  return one.ok ? { ok: true, messages: [one.message], batch: false } : one;
}

function validate(
  value: unknown,
  where: string,
): { ok: true; message: JSONRPCMessage } | { ok: false; code: number; message: string } {
  const parsed = checkJsonRpcMessage(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return {
    ok: false,
    code: GatewayErrorCode.InvalidRequest,
    message: `Invalid Request: ${where}not a JSON-RPC 2.0 message${path}`,
  };
}
