// What the gateway uses of an upstream connection, whatever era it speaks. A server of the 2025 era is spoken to by
// the SDK 1.x `Client`, which has all of this; a server that speaks only 2026-07-28 by `ModernUpstreamClient`
// (modern-upstream-client.ts), which maps each of these onto that revision. Naming the surface keeps the second
// honest: whatever the gateway starts to use must be given a meaning in both eras.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { AnySchema, SchemaOutput } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { Request, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

/** The era a connection speaks: `initialize` and sessions (2025-11-25 and before), or 2026-07-28. */
export type UpstreamEra = 'legacy' | 'modern';

/**
 * The call a request is made for. A 2026-07-28 server asks for client input inside the answer to that very request
 * (`input_required`), so the input is that call's to give: nothing needs to be guessed (gateway notes 1 and 7).
 */
export interface CallOrigin {
  /** The client session that made the call. */
  readonly session: string;
  readonly client?: string | undefined;
  /** Whom the call is made for on a shared gateway, for the audit record of what the server asks. */
  readonly member?: string | null | undefined;
  /** Asks that session's client; absent when the request is not a client's call (then nobody may be asked). */
  readonly ask?: ((request: ServerRequest, signal: AbortSignal) => Promise<unknown>) | undefined;
}

export interface UpstreamRequestOptions extends RequestOptions {
  /** Whose call this is; only a 2026-07-28 connection uses it (legacy servers ask by request, routed elsewhere). */
  readonly origin?: CallOrigin | undefined;
}

export interface UpstreamClient extends Pick<
  Client,
  | 'close'
  | 'getServerCapabilities'
  | 'subscribeResource'
  | 'unsubscribeResource'
  | 'setLoggingLevel'
  | 'setNotificationHandler'
  | 'setRequestHandler'
  | 'listTools'
  | 'listResources'
  | 'listResourceTemplates'
  | 'listPrompts'
  | 'ping'
  | 'callTool'
> {
  request<T extends AnySchema>(
    request: Request,
    resultSchema: T,
    options?: UpstreamRequestOptions,
  ): Promise<SchemaOutput<T>>;
  /** Set by the 2026-07-28 adapter; the SDK 1.x client has none, and is legacy. */
  readonly era?: UpstreamEra;
  /**
   * The call a server request handed to a `setRequestHandler` handler (by its `extra`) belongs to, when the
   * connection knows it: a 2026-07-28 one does, from the answer it came in. The SDK 1.x client has none.
   */
  originOf?(extra: object): CallOrigin | undefined;
}

export function eraOf(client: UpstreamClient): UpstreamEra {
  return client.era ?? 'legacy';
}
