// What an HTTP client of the 2026-07-28 era adds to the messages it sends, for a relay that is handed bodies only:
// `switchboard bridge`, whose stdio clients may speak either era. A modern request travels with the headers that
// mirror its body (MCP-Protocol-Version, Mcp-Method, Mcp-Name, and Mcp-Param-* for the tool arguments its schema
// marks with `x-mcp-header`), and a stdio cancel (notifications/cancelled) becomes what cancels on HTTP: closing
// that request's response (spec 2026-07-28, basic/transports/streamable-http; basic/utilities/cancellation).
// Legacy messages pass untouched.
import { PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { encodeHeaderValue, mirroredParamHeaders } from '../../protocol/param-headers.ts';

type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** The version a message's `_meta` names, when it carries the modern envelope. */
function claimedVersion(message: unknown): string | undefined {
  const params = (message as { params?: { _meta?: Record<string, unknown> } }).params;
  const version = params?._meta?.[PROTOCOL_VERSION_META_KEY];
  return typeof version === 'string' ? version : undefined;
}

export class ModernHttpRelay {
  readonly #fetch: Fetch;
  /** Tool input schemas from the tools/list answers relayed, for the Mcp-Param headers of later calls. */
  readonly #schemas = new Map<string, unknown>();
  readonly #listing = new Set<RequestId>();
  /** Modern requests whose answer is still coming, so a cancel can close their response. */
  readonly #open = new Map<RequestId, AbortController>();
  /** The version of the modern client on the other side, once it has sent a request. */
  #version: string | null = null;

  constructor(fetchImpl: Fetch = fetch) {
    this.#fetch = fetchImpl;
  }

  /**
   * Looks at a message from the client before it is forwarded. True when the relay has dealt with it and it must
   * not be forwarded: a modern client's notifications/cancelled, turned into closing that request's response.
   */
  fromClient(message: JSONRPCMessage): boolean {
    if (isJSONRPCRequest(message)) {
      const version = claimedVersion(message);
      if (version !== undefined) this.#version = version;
      if (version !== undefined && message.method === 'tools/list') this.#listing.add(message.id);
      return false;
    }
    if (this.#version === null || !isJSONRPCNotification(message) || message.method !== 'notifications/cancelled') {
      return false;
    }
    const id = (message.params as { requestId?: RequestId } | undefined)?.requestId;
    if (id !== undefined) this.#open.get(id)?.abort(new Error('cancelled by the client'));
    return true;
  }

  /** Looks at a message from the gateway before it is handed to the client. */
  fromGateway(message: JSONRPCMessage): void {
    if (!(isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) || message.id === undefined) return;
    this.#open.delete(message.id);
    if (!this.#listing.delete(message.id) || !isJSONRPCResultResponse(message)) return;
    const tools = (message.result as { tools?: { name?: unknown; inputSchema?: unknown }[] }).tools ?? [];
    for (const tool of tools) if (typeof tool.name === 'string') this.#schemas.set(tool.name, tool.inputSchema);
  }

  /** A fetch for the HTTP transport that adds the modern headers, and a way to cancel, to modern requests. */
  readonly fetch: Fetch = async (url, init) => {
    const message = typeof init?.body === 'string' ? (JSON.parse(init.body) as JSONRPCMessage) : undefined;
    const extra = message === undefined ? null : this.#headersFor(message);
    if (extra === null || init === undefined) return this.#fetch(url, init);
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    if (!isJSONRPCRequest(message)) return this.#fetch(url, { ...init, headers });
    const cancel = new AbortController();
    this.#open.set(message.id, cancel);
    const signal = init.signal ? AbortSignal.any([init.signal, cancel.signal]) : cancel.signal;
    try {
      return await this.#fetch(url, { ...init, headers, signal });
    } catch (error) {
      this.#open.delete(message.id);
      throw error;
    }
  };

  #headersFor(message: JSONRPCMessage): Record<string, string> | null {
    if (isJSONRPCNotification(message)) {
      // Notifications carry no envelope; the header says which era they belong to.
      return this.#version === null ? null : { 'mcp-protocol-version': this.#version, 'mcp-method': message.method };
    }
    const version = isJSONRPCRequest(message) ? claimedVersion(message) : undefined;
    if (version === undefined || !isJSONRPCRequest(message)) return null;
    const params = (message.params ?? {}) as Record<string, unknown>;
    const headers: Record<string, string> = { 'mcp-protocol-version': version, 'mcp-method': message.method };
    const name = message.method === 'resources/read' ? params.uri : params.name;
    if (['tools/call', 'prompts/get', 'resources/read'].includes(message.method) && typeof name === 'string') {
      headers['mcp-name'] = encodeHeaderValue(name);
    }
    if (message.method === 'tools/call' && typeof name === 'string') {
      Object.assign(headers, mirroredParamHeaders(this.#schemas.get(name), params.arguments));
    }
    return headers;
  }
}
