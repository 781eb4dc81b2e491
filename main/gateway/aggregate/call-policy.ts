// The gateway's side of policy on a tools/call: how the calling client is asked for a confirmation (an
// elicitation on the call's own stream, to the session that made the call), and how a refusal is answered: a
// tool error when the model can act on it (arguments, a declined confirmation), a JSON-RPC error otherwise.
import {
  ElicitResultSchema,
  ErrorCode,
  type CallToolResult,
  type ClientCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type { Admission } from '../../policy/policy-engine.ts';
import type { Confirmer } from '../../policy/confirmation.ts';
import { GatewayErrorCode } from '../http/http-reply.ts';
import { CallError } from './call-error.ts';
import { GATEWAY_META_PREFIX } from './session-server.ts';
import type { Extra } from './upstream-request.ts';

/** Asks through the session's own SDK Server, so only the client that made the call can answer. */
export function confirmerFor(extra: Extra, capabilities: ClientCapabilities | undefined): Confirmer {
  const elicitation = capabilities?.elicitation as { form?: object; url?: object } | undefined;
  // A client declaring only URL-mode elicitation cannot show a form to accept.
  if (elicitation === undefined || (elicitation.url !== undefined && elicitation.form === undefined)) return null;
  return async (request) => {
    try {
      const result = await extra.sendRequest(
        {
          method: 'elicitation/create',
          params: { message: request.message, requestedSchema: request.requestedSchema },
        },
        ElicitResultSchema,
        { signal: extra.signal, timeout: request.timeoutMs },
      );
      return { answer: result.action };
    } catch (error) {
      return { answer: 'unavailable', reason: error instanceof Error ? error.message : String(error) };
    }
  };
}

/** What the caller gets for a refused call: a tool result to return, or an error to throw. */
export function refusalAnswer(
  refused: Extract<Admission, { ok: false }>,
  unknownMessage: string,
): { result: CallToolResult; error: null } | { result: null; error: CallError } {
  const { refusal } = refused;
  switch (refusal.kind) {
    case 'unknown-tool':
      return { result: null, error: new CallError(ErrorCode.InvalidParams, unknownMessage) };
    case 'refused':
      return { result: null, error: new CallError(GatewayErrorCode.Refused, refusal.message, refusal.data) };
    case 'tool-error':
      return {
        result: {
          content: [{ type: 'text', text: refusal.text }],
          isError: true,
          _meta: {
            [`${GATEWAY_META_PREFIX}/policy`]: {
              rule: refused.rule,
              ...(refusal.problems === undefined ? {} : { problems: refusal.problems }),
            },
          },
        },
        error: null,
      };
  }
}

/**
 * The error a refused prompt, resource or completion request gets (these have no tool result to carry a refusal):
 * `unknown` for one outside the client's toolset, -32602 with every problem for arguments, -32001 otherwise.
 */
export function requestRefusalError(refused: Extract<Admission, { ok: false }>, unknown: CallError): CallError {
  const { refusal } = refused;
  switch (refusal.kind) {
    case 'unknown-tool':
      return unknown;
    case 'refused':
      return new CallError(GatewayErrorCode.Refused, refusal.message, refusal.data);
    case 'tool-error':
      return refusal.problems === undefined
        ? new CallError(GatewayErrorCode.Refused, refusal.text, { rule: refused.rule })
        : new CallError(ErrorCode.InvalidParams, refusal.text, { rule: refused.rule, problems: refusal.problems });
  }
}

/** The one line an audit record keeps of a refusal. */
export function refusalText(refused: Extract<Admission, { ok: false }>, unknownMessage: string): string {
  const { refusal } = refused;
  if (refusal.kind === 'unknown-tool') return unknownMessage;
  return refusal.kind === 'refused' ? refusal.message : refusal.text;
}
