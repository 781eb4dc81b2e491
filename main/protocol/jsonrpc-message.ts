// Validates one JSON value as a JSON-RPC message with the SDK's own schemas, choosing the one schema its shape
// calls for. Trying the SDK's whole union first means every response is first checked (and fails) as a request
// and a notification, which costs a measurable share of a tool call's time on both hops of the gateway.
import {
  JSONRPCErrorResponseSchema,
  JSONRPCMessageSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';

export type MessageCheck =
  { readonly success: true; readonly data: JSONRPCMessage } | { readonly success: false; readonly error: z.ZodError };

function schemaFor(value: unknown): z.ZodType {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return JSONRPCMessageSchema;
  const has = (key: string): boolean => Object.hasOwn(value, key);
  if (has('method')) return has('id') ? JSONRPCRequestSchema : JSONRPCNotificationSchema;
  if (has('result')) return JSONRPCResultResponseSchema;
  if (has('error')) return JSONRPCErrorResponseSchema;
  return JSONRPCMessageSchema;
}

export function checkJsonRpcMessage(value: unknown): MessageCheck {
  const result = schemaFor(value).safeParse(value);
  return result.success
    ? { success: true, data: result.data as JSONRPCMessage }
    : { success: false, error: result.error };
}

// Shape tests for messages that were already validated. The SDK's own is* guards run a full zod parse each time,
// which on a hot path means validating every result again (a 1 MiB result included).

export function isResponseMessage(
  message: JSONRPCMessage,
): message is Extract<JSONRPCMessage, { result: unknown }> | Extract<JSONRPCMessage, { error: unknown }> {
  return 'result' in message || 'error' in message;
}

export function isResultMessage(message: JSONRPCMessage): message is Extract<JSONRPCMessage, { result: unknown }> {
  return 'result' in message;
}

export function isRequestMessage(
  message: JSONRPCMessage,
): message is Extract<JSONRPCMessage, { method: string; id: unknown }> {
  return 'method' in message && 'id' in message;
}
