// The modern path's way into the aggregated methods: the same session server the legacy path gives each session
// (aggregate/session-server.ts), reached in process through this transport instead of HTTP. So `tools/call`,
// lists, prompts, resources and completions are answered by exactly the handlers legacy clients get, with the
// same routing, timeouts, audit and errors; the modern path adds only what its era needs around them.
//
// It speaks SDK 1.x's Transport interface to that server: `initialize` once (the server's answer names its
// capabilities, instructions and identity), then requests with ids of this hop. Notifications the server sends
// for a request (progress, log messages) go to that request's caller, in order and before its result;
// notifications tied to no request (list changes, resource updates) go to `onunrelated`.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  LATEST_PROTOCOL_VERSION,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type ClientCapabilities,
  type Implementation,
  type InitializeResult,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type RequestId,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { CallError } from '../aggregate/call-error.ts';

export interface DispatchCall {
  /** Aborting it cancels the request (notifications/cancelled to the session server, which cancels upstream). */
  readonly signal: AbortSignal;
  /** Receives the notifications sent for this request; the result waits until the last one has been handed on. */
  notify(notification: JSONRPCNotification): Promise<void>;
}

interface Pending {
  readonly resolve: (result: Record<string, unknown>) => void;
  readonly reject: (error: Error) => void;
  readonly notify: (notification: JSONRPCNotification) => Promise<void>;
  /** The last notification handed on; the result is delivered after it. */
  tail: Promise<void>;
}

export interface DispatchIdentity {
  readonly capabilities: ServerCapabilities;
  readonly instructions: string | undefined;
  readonly serverInfo: Implementation;
}

export class LegacyDispatch implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Notifications the server sent outside any request. */
  onunrelated?: (notification: JSONRPCNotification) => void;
  /** Called once the transport has closed (the session server's own close included), for whoever holds it. */
  onended?: () => void;

  readonly #server: Server;
  readonly #pending = new Map<RequestId, Pending>();
  #nextId = 1;
  #closed = false;
  #identity: DispatchIdentity | null = null;

  private constructor(server: Server) {
    this.#server = server;
  }

  /**
   * Connects to `server` and initializes it on behalf of a modern client: the capabilities and identity its
   * `_meta` envelope declared stand in for the ones a legacy client sends in `initialize`.
   */
  static async open(
    server: Server,
    client: { capabilities: ClientCapabilities; info: Implementation },
  ): Promise<LegacyDispatch> {
    const dispatch = new LegacyDispatch(server);
    await server.connect(dispatch);
    const result = (await dispatch.request(
      'initialize',
      { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: client.capabilities, clientInfo: client.info },
      { signal: new AbortController().signal, notify: async () => {} },
    )) as InitializeResult;
    dispatch.#identity = {
      capabilities: result.capabilities,
      instructions: result.instructions,
      serverInfo: result.serverInfo,
    };
    return dispatch;
  }

  get identity(): DispatchIdentity {
    if (this.#identity === null) throw new Error('LegacyDispatch used before open() finished');
    return this.#identity;
  }

  async start(): Promise<void> {}

  /** Sends one request to the session server and resolves with its result, or rejects with its error. */
  request(method: string, params: Record<string, unknown>, call: DispatchCall): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(new CallError(ErrorCode.InternalError, 'the session server has closed'));
    if (call.signal.aborted) return Promise.reject(new CallError(ErrorCode.InternalError, 'the request was cancelled'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.#pending.delete(id)) return;
        const why = call.signal.reason instanceof Error ? call.signal.reason.message : String(call.signal.reason ?? '');
        this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: why } });
        reject(new CallError(ErrorCode.InternalError, `the request was cancelled: ${why}`));
      };
      const settled = (): void => call.signal.removeEventListener('abort', onAbort);
      this.#pending.set(id, {
        resolve: (result) => {
          settled();
          resolve(result);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
        notify: (notification) => call.notify(notification),
        tail: Promise.resolve(),
      });
      call.signal.addEventListener('abort', onAbort, { once: true });
      this.onmessage?.({ jsonrpc: '2.0', id, method, params });
    });
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#closed) return;
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const pending = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id!);
      // The request's notifications reach its caller before its result (gateway notes 10).
      await pending.tail.catch(() => {});
      if (isJSONRPCResultResponse(message)) pending.resolve(message.result as Record<string, unknown>);
      else pending.reject(new CallError(message.error.code, message.error.message, message.error.data));
      return;
    }
    if (isJSONRPCRequest(message)) {
      // 2026-07-28 has no server-to-client requests; the session server hears a refusal at once instead of waiting.
      queueMicrotask(() =>
        this.onmessage?.({
          jsonrpc: '2.0',
          id: message.id,
          error: {
            code: ErrorCode.MethodNotFound,
            message: `${message.method} cannot be sent to a client speaking 2026-07-28 (no server-to-client requests)`,
          },
        }),
      );
      return;
    }
    if (!isJSONRPCNotification(message)) return;
    const related = options?.relatedRequestId;
    const pending = related === undefined ? undefined : this.#pending.get(related);
    if (pending === undefined) {
      if (related === undefined) this.onunrelated?.(message);
      return;
    }
    const previous = pending.tail;
    pending.tail = previous.then(() => pending.notify(message)).catch(() => {});
  }

  /** Ends the exchange: requests still waiting are rejected, and the session server closes its side. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#pending.values())
      pending.reject(new CallError(ErrorCode.InternalError, 'the session server has closed'));
    this.#pending.clear();
    this.onclose?.();
    this.onended?.();
  }

  /** Closes the session server, and with it this transport. */
  async shutdown(): Promise<void> {
    await this.#server.close().catch(() => {});
    await this.close();
  }
}
