// The `requestState` of the gateway's `input_required` results: which parked flow, which round of it, sealed with
// the SDK's HMAC codec under a key made when the process starts (so a state outlives neither the process nor
// `inputWaitMs`), and bound to the request it was minted for: the client token, the endpoint, the method, the
// tool, prompt or resource named, and a digest of the arguments (spec 2026-07-28, basic/patterns/mrtr, server
// requirements 4 and 5). A state that fails any of it is refused by the SDK's seam before a handler runs, as
// -32602 "Invalid or expired requestState". The state is signed, not encrypted: it holds only a random flow id and
// a round number. The flow itself is server-side (input-flows.ts), so a state is also single-use.
import { createHash, randomBytes } from 'node:crypto';
import {
  createRequestStateCodec,
  type AuthInfo,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server';

/** What the sealed state names. */
export interface FlowState {
  readonly flow: string;
  readonly round: number;
}

/** Where the binding of the request being served travels to the codec: the transport's `authInfo.extra`. */
const BINDING_KEY = 'dev.switchboard/requestBinding';

/**
 * The binding of one request: who asks (token), where (endpoint scope), and what (method, name or URI, and the
 * arguments' digest). A retry is the same request again, so it binds the same.
 */
export function requestBinding(
  tokenId: string,
  scope: string | null,
  method: string,
  params: Record<string, unknown> | undefined,
): string {
  const name = method === 'resources/read' ? params?.uri : params?.name;
  const args = createHash('sha256')
    .update(stableJson(params?.arguments ?? {}))
    .digest('base64url');
  return [tokenId, scope ?? '', method, typeof name === 'string' ? name : '', args].join('\0');
}

/**
 * What the per-request transport hands the SDK, so that the codec can read the binding from the context. The
 * binding is computed when a state is minted or verified, not for every call (it hashes the arguments).
 */
export function bindingAuthInfo(tokenId: string, binding: () => string): AuthInfo {
  return { token: '', clientId: tokenId, scopes: [], extra: { [BINDING_KEY]: binding } };
}

function bindingOf(ctx: ServerContext): string {
  const binding = ctx.http?.authInfo?.extra?.[BINDING_KEY];
  if (typeof binding !== 'function') throw new Error('no request binding');
  return (binding as () => string)();
}

export class RequestStateSeal {
  readonly #codec: RequestStateCodec<FlowState>;

  constructor(ttlMs: number, key: Uint8Array = randomBytes(32)) {
    this.#codec = createRequestStateCodec<FlowState>({
      key,
      ttlSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
      bind: bindingOf,
    });
  }

  mint(state: FlowState, ctx: ServerContext): Promise<string> {
    return this.#codec.mint(state, ctx);
  }

  /** For `ServerOptions.requestState.verify`: throws on a state that is malformed, tampered, expired or foreign. */
  async verify(state: string, ctx: ServerContext): Promise<FlowState> {
    const payload = (await this.#codec.verify(state, ctx)) as Partial<FlowState> | null;
    if (typeof payload?.flow !== 'string' || typeof payload.round !== 'number') throw new Error('malformed');
    return { flow: payload.flow, round: payload.round };
  }
}

/** JSON with object keys sorted, so that a client re-serializing the same arguments binds the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
