// The modern path's way into the aggregated methods: the same session server the legacy path gives each session
// (aggregate/session-server.ts), reached in process through this transport instead of HTTP. So `tools/call`,
// lists, prompts, resources and completions are answered by exactly the handlers legacy clients get, with the
// same routing, timeouts, audit and errors; the modern path adds only what its era needs around them.
//
// It speaks SDK 1.x's Transport interface to that server: `initialize` once (the server's answer names its
// capabilities, instructions and identity), then requests with ids of this hop. Notifications the server sends
// for a request (progress, log messages) go to that request's caller, in order and before its result;
// notifications tied to no request (list changes, resource updates) go to `onunrelated`. A request the server
// sends on a call's behalf (an upstream's sampling, elicitation or roots) goes to that call's `ask`, which the
// modern door answers through `input_required` rounds (input-flow.ts); a call without one refuses it at once.
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
  type JSONRPCRequest,
  type RequestId,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { CallError } from '../aggregate/call-error.ts';

export interface DispatchCall {
  /** Aborting it cancels the request (notifications/cancelled to the session server, which cancels upstream). */
  readonly signal: AbortSignal;
  /** Receives the notifications sent for this request; the result waits until the last one has been handed on. */
  notify(notification: JSONRPCNotification): Promise<void>;
  /**
   * Answers a request the session server sends on this call's behalf, given a signal that aborts when the session
   * server withdraws it (its timeout, or the upstream cancelling). Absent: such a request is refused at once.
   */
  ask?(request: JSONRPCRequest, withdrawn: AbortSignal): Promise<Record<string, unknown>>;
  /** Whether a client request is being answered for this call right now (false while it waits for a retry). */
  serving?(): boolean;
}

interface Pending {
  readonly resolve: (result: Record<string, unknown>) => void;
  readonly reject: (error: Error) => void;
  readonly notify: (notification: JSONRPCNotification) => Promise<void>;
  readonly ask: DispatchCall['ask'];
  readonly serving: () => boolean;
  /** The last notification handed on; the result is delivered after it. */
  tail: Promise<void>;
}

/**
 * What the session server is told the client can answer. A modern client declares its capabilities per request,
 * and a pooled session server serves many requests, so the session server lets every kind through and the modern
 * door checks each request's own declaration (input-flow.ts), answering the upstream -32021 when it lacks one.
 */
const ANSWERED_BY_THE_MODERN_DOOR: ClientCapabilities = {
  sampling: { tools: {}, context: {} },
  elicitation: { form: {}, url: {} },
  roots: {},
};

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
  /** Requests of the session server being answered by a call's `ask`, by their id, to withdraw them. */
  readonly #asked = new Map<RequestId, AbortController>();
  #nextId = 1;
  #closed = false;
  #identity: DispatchIdentity | null = null;

  private constructor(server: Server) {
    this.#server = server;
  }

  /**
   * Connects to `server` and initializes it on behalf of a modern client, with the identity its `_meta` envelope
   * declared; its capabilities are checked per request instead (see ANSWERED_BY_THE_MODERN_DOOR).
   */
  static async open(server: Server, clientInfo: Implementation): Promise<LegacyDispatch> {
    const dispatch = new LegacyDispatch(server);
    await server.connect(dispatch);
    const result = (await dispatch.request(
      'initialize',
      { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: ANSWERED_BY_THE_MODERN_DOOR, clientInfo },
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
        ask: call.ask?.bind(call),
        serving: () => call.serving?.() ?? false,
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
      this.#ask(message, options?.relatedRequestId);
      return;
    }
    if (!isJSONRPCNotification(message)) return;
    if (message.method === 'notifications/cancelled') {
      // The session server withdraws one of its own requests: the call answering it stops, nobody else hears it.
      const withdrawn = this.#asked.get((message.params as { requestId?: RequestId } | undefined)?.requestId ?? '');
      if (withdrawn !== undefined) {
        withdrawn.abort('withdrawn by the server');
        return;
      }
    }
    const related = options?.relatedRequestId;
    const pending = related === undefined ? undefined : this.#pending.get(related);
    if (pending === undefined) {
      if (related === undefined) this.onunrelated?.(message);
      return;
    }
    const previous = pending.tail;
    pending.tail = previous.then(() => pending.notify(message)).catch(() => {});
  }

  /**
   * A request of the session server, made during the call `related`: answered by that call's `ask`. 2026-07-28 has
   * no server-to-client requests outside tools/call, prompts/get and resources/read (whose callers can answer
   * `input_required`), so without an `ask` the session server hears a refusal at once instead of waiting.
   *
   * Over a stdio upstream nothing says which call a request is for, and the session server relates it to a call
   * of this client waiting on that server (gateway notes 1). When that call is waiting for a retry that may never
   * come, and another call of the same client is being answered now, the request goes to the latter, which shows it
   * at once: its answer reaches the upstream by the upstream's own request id whichever round showed it, so this
   * can only move a request between rounds of one client, never to another client (one dispatch, one token).
   */
  #ask(request: JSONRPCRequest, related: RequestId | undefined): void {
    const chosen = related === undefined ? undefined : this.#pending.get(related);
    const serving = [...this.#pending.values()].filter((p) => p.ask !== undefined && p.serving()).at(-1);
    const ask = chosen?.ask !== undefined && chosen.serving() ? chosen.ask : (serving?.ask ?? chosen?.ask);
    if (ask === undefined) {
      const message = `${request.method} cannot be sent to a client speaking 2026-07-28 outside tools/call, prompts/get and resources/read`;
      queueMicrotask(() =>
        this.onmessage?.({ jsonrpc: '2.0', id: request.id, error: { code: ErrorCode.MethodNotFound, message } }),
      );
      return;
    }
    const withdrawn = new AbortController();
    this.#asked.set(request.id, withdrawn);
    const answer = (body: { result: Record<string, unknown> } | { error: JSONRPCErrorBody }): void => {
      if (this.#asked.get(request.id) !== withdrawn) return;
      this.#asked.delete(request.id);
      if (withdrawn.signal.aborted || this.#closed) return;
      this.onmessage?.({ jsonrpc: '2.0', id: request.id, ...body } as JSONRPCMessage);
    };
    withdrawn.signal.addEventListener('abort', () => this.#asked.delete(request.id), { once: true });
    ask(request, withdrawn.signal).then(
      (result) => answer({ result }),
      (error: unknown) => answer({ error: errorBody(error) }),
    );
  }

  /** Ends the exchange: requests still waiting are rejected, and the session server closes its side. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const withdrawn of [...this.#asked.values()]) withdrawn.abort('the session server has closed');
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

interface JSONRPCErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

/** A thrown error as a JSON-RPC error: its own code and data when it has them (CallError, McpError). */
function errorBody(error: unknown): JSONRPCErrorBody {
  const { code, data } = (error ?? {}) as { code?: unknown; data?: unknown };
  return {
    code: typeof code === 'number' && Number.isSafeInteger(code) ? code : ErrorCode.InternalError,
    message: error instanceof Error ? error.message : String(error),
    ...(data === undefined ? {} : { data }),
  };
}
