// A client transport that asks for a chosen protocol version in `initialize` (the SDK's Client always asks for its
// latest) and records the version the server answered with, for the legacy-client tests (T54).
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

export class PinnedVersionTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  /** The protocolVersion of the initialize result, once it has arrived. */
  negotiated: string | null = null;
  readonly #inner: Transport;
  readonly #version: string;
  #initializeId: RequestId | null = null;

  constructor(inner: Transport, version: string) {
    this.#inner = inner;
    this.#version = version;
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => {
      if (isJSONRPCResultResponse(message) && message.id === this.#initializeId) {
        this.negotiated = String((message.result as { protocolVersion?: unknown }).protocolVersion);
      }
      this.onmessage?.(message, extra);
    };
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isJSONRPCRequest(message) && message.method === 'initialize') {
      this.#initializeId = message.id;
      return this.#inner.send({ ...message, params: { ...message.params, protocolVersion: this.#version } }, options);
    }
    return this.#inner.send(message, options);
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
