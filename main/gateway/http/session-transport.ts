// The HTTP side of one client session, as an SDK Transport: the SDK's Server does the JSON-RPC protocol, this
// class only frames messages onto HTTP responses (Streamable HTTP, 2025-03-26 to 2025-11-25).
//
// Framing choice: a POST's answer starts undecided. If the first message for it is its response, it goes out as
// plain JSON (the cheapest path, and most calls); if a notification or a server request comes first (progress,
// logging, sampling), the response turns into an SSE stream and everything for that request follows on it, the
// result last. Messages tied to no request go to the session's GET stream, or are dropped and counted.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isRequestMessage, isResponseMessage, isResultMessage } from '../../protocol/jsonrpc-message.ts';
import { GatewayErrorCode } from './http-reply.ts';

interface PostStream {
  readonly res: ServerResponse;
  mode: 'undecided' | 'sse' | 'done';
  readonly pending: Set<RequestId>;
  readonly batch: boolean;
  /** Position of each request in its batch: a batch's answers go back in the order it was sent (T52). */
  readonly order: ReadonlyMap<RequestId, number>;
  readonly collected: JSONRPCMessage[];
}

export interface SessionTransportOptions {
  readonly sessionId: string;
  /** Bytes an unread SSE stream may hold before notifications to it are dropped (T16). */
  readonly maxStreamBufferBytes: number;
}

export class SessionTransport implements Transport {
  readonly sessionId: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  /** The protocol version the session's `initialize` settled on; null until then. */
  protocolVersion: string | null = null;
  /** Messages dropped because their stream was gone or full. */
  dropped = 0;
  /** Of those, notifications dropped because a stream already held `maxStreamBufferBytes` its client had not read. */
  overflowed = 0;
  /** Called the first time each stream overflows, so a client that stopped reading is reported once, not per drop. */
  onoverflow?: () => void;

  readonly #maxBuffer: number;
  readonly #byRequest = new Map<RequestId, PostStream>();
  #standalone: ServerResponse | null = null;
  #initializeId: RequestId | null = null;
  #closed = false;
  readonly #overflowedStreams = new WeakSet<ServerResponse>();

  constructor(options: SessionTransportOptions) {
    this.sessionId = options.sessionId;
    this.#maxBuffer = options.maxStreamBufferBytes;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async start(): Promise<void> {}

  /** A client listening on the GET stream or waiting on a response is using the session. */
  get hasOpenStream(): boolean {
    return this.#standalone !== null || this.#byRequest.size > 0;
  }

  /** True when a request with this id is still waiting for its response on this session. */
  /** Requests of this session whose answer has not been written yet. */
  get unanswered(): number {
    return this.#byRequest.size;
  }

  isInFlight(id: RequestId): boolean {
    return this.#byRequest.has(id);
  }

  /**
   * What the response stream of request `id` holds that its client has not read, and the most it may hold; null
   * while the answer is not an SSE stream (a plain JSON answer is bounded by the server's maxMessageBytes alone).
   * A result that does not fit is refused by the caller before it is audited (T83).
   */
  unreadOf(id: RequestId): { readonly unread: number; readonly limit: number } | null {
    const stream = this.#byRequest.get(id);
    if (stream === undefined || stream.mode !== 'sse') return null;
    return { unread: stream.res.writableLength, limit: this.#maxBuffer };
  }

  /** Hands a validated POST to the protocol. The caller has checked auth, headers and that ids are not in flight. */
  acceptPost(res: ServerResponse, messages: readonly JSONRPCMessage[], batch: boolean, extra: MessageExtraInfo): void {
    const requests = messages.filter(isRequestMessage);
    if (requests.length === 0) {
      this.#writeHead(res, 202).end();
    } else {
      const order = new Map(requests.map((r, index) => [r.id, index]));
      const stream: PostStream = { res, mode: 'undecided', pending: new Set(), batch, order, collected: [] };
      for (const request of requests) {
        stream.pending.add(request.id);
        this.#byRequest.set(request.id, stream);
        if (request.method === 'initialize') this.#initializeId = request.id;
      }
      // A dropped connection is not a cancellation (spec, Streamable HTTP): the result is discarded on arrival.
      res.on('close', () => {
        if (stream.mode === 'done') return;
        stream.mode = 'done';
        for (const id of stream.pending) this.#byRequest.delete(id);
      });
    }
    for (const message of messages) this.onmessage?.(message, extra);
  }

  /** Opens the session's GET stream; false when one is already open (the caller answers 409). */
  acceptGet(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.#standalone !== null) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'mcp-session-id': this.sessionId,
    });
    res.flushHeaders();
    this.#standalone = res;
    req.on('close', () => {
      if (this.#standalone === res) this.#standalone = null;
    });
    return true;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#closed) return;
    const isResponse = isResponseMessage(message);
    const id = isResponse ? message.id : options?.relatedRequestId;
    if (isResponse && id === this.#initializeId && isResultMessage(message)) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') this.protocolVersion = version;
    }
    if (id === undefined) {
      this.#sendStandalone(message);
      return;
    }
    const stream = this.#byRequest.get(id);
    if (stream === undefined || stream.mode === 'done') {
      this.dropped += 1;
      return;
    }
    if (!isResponse) {
      if (stream.mode === 'undecided') this.#startSse(stream);
      this.#writeEvent(stream.res, message, false);
      return;
    }
    if (stream.mode === 'sse') {
      // SDK clients (1.x) drop a progress notification read in the same chunk as its result; writing the result
      // one turn of the event loop later keeps notification and result in separate reads in practice.
      setImmediate(() => this.#finishSse(stream, id, message));
      return;
    }
    stream.pending.delete(id);
    this.#byRequest.delete(id);
    if (!stream.batch) {
      this.#finishJson(stream, message);
      return;
    }
    stream.collected.push(message);
    if (stream.pending.size === 0) {
      const position = (m: JSONRPCMessage): number =>
        'id' in m && m.id !== undefined ? (stream.order.get(m.id) ?? 0) : 0;
      this.#finishJson(
        stream,
        stream.collected.sort((a, b) => position(a) - position(b)),
      );
    }
  }

  /**
   * Ends every stream of the session; the SDK's Server then aborts its in-flight handlers. A request still waiting
   * gets an error saying why rather than an empty answer its client cannot parse.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of new Set(this.#byRequest.values())) this.#abort(stream);
    this.#byRequest.clear();
    this.#standalone?.end();
    this.#standalone = null;
    this.onclose?.();
  }

  #sendStandalone(message: JSONRPCMessage): void {
    if (this.#standalone === null) {
      this.dropped += 1;
      return;
    }
    this.#writeEvent(this.#standalone, message, false);
  }

  #startSse(stream: PostStream): void {
    stream.mode = 'sse';
    this.#writeHead(stream.res, 200, [
      'content-type',
      'text/event-stream',
      'cache-control',
      'no-cache, no-transform',
      'connection',
      'keep-alive',
    ]);
    for (const early of stream.collected) this.#writeEvent(stream.res, early, true);
    stream.collected.length = 0;
  }

  /** Writes one SSE event. Notifications to a stream whose reader has fallen behind are dropped and counted;
   * responses are always written, since a caller waiting for one must get it. */
  #writeEvent(res: ServerResponse, message: JSONRPCMessage, essential: boolean): void {
    if (res.writableEnded || res.destroyed) {
      this.dropped += 1;
      return;
    }
    if (!essential && res.writableLength > this.#maxBuffer) {
      this.dropped += 1;
      this.overflowed += 1;
      if (!this.#overflowedStreams.has(res)) {
        this.#overflowedStreams.add(res);
        this.onoverflow?.();
      }
      return;
    }
    res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /**
   * Every answer to a POST of the session names the session. Headers as a flat list of names and values: Node writes
   * them without enumerating an object's keys.
   */
  #writeHead(res: ServerResponse, status: number, headers: string[] = []): ServerResponse {
    headers.push('mcp-session-id', this.sessionId);
    return res.writeHead(status, headers);
  }

  #finishJson(stream: PostStream, payload: JSONRPCMessage | JSONRPCMessage[]): void {
    stream.mode = 'done';
    // Encoded once: measuring the string and then writing it would encode a large result twice.
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    this.#writeHead(stream.res, 200, ['content-type', 'application/json', 'content-length', String(body.length)]);
    stream.res.end(body);
  }

  #finishSse(stream: PostStream, id: RequestId, message: JSONRPCMessage): void {
    if (stream.mode === 'done') {
      this.dropped += 1;
      return;
    }
    stream.pending.delete(id);
    this.#byRequest.delete(id);
    this.#writeEvent(stream.res, message, true);
    if (stream.pending.size === 0) this.#finish(stream);
  }

  #abort(stream: PostStream): void {
    if (stream.mode === 'done') return;
    const errors: JSONRPCMessage[] = [...stream.pending].map((id) => ({
      jsonrpc: '2.0',
      id,
      error: {
        code: GatewayErrorCode.ServerUnavailable,
        message:
          'The session ended before this request was answered (the gateway is shutting down, or the session was deleted or expired)',
      },
    }));
    stream.pending.clear();
    if (stream.mode === 'sse') {
      for (const error of errors) this.#writeEvent(stream.res, error, true);
      this.#finish(stream);
    } else if (stream.batch) {
      this.#finishJson(stream, [...stream.collected, ...errors]);
    } else {
      this.#finishJson(stream, errors[0]!);
    }
  }

  #finish(stream: PostStream): void {
    if (stream.mode === 'done') return;
    if (stream.mode === 'undecided' && !stream.res.headersSent) this.#writeHead(stream.res, 204);
    stream.mode = 'done';
    stream.res.end();
  }
}
