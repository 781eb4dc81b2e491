// Requests sent to one upstream connection that have not been answered yet. A connection being retired (after
// a credential rotation) is closed only once this reaches zero or its drain time runs out, so calls that were
// already running when new calls moved to the new instance still get their answers.
import type { JSONRPCMessage as ModernMessage } from '@modelcontextprotocol/client';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { isResponseMessage } from '../protocol/jsonrpc-message.ts';

/** A message of either SDK's connection (2025 or 2026-07-28): the JSON-RPC shapes are the same. */
type AnyMessage = JSONRPCMessage | ModernMessage;

export class PendingRequests {
  readonly #ids = new Set<string | number>();
  #waiters: (() => void)[] = [];

  get count(): number {
    return this.#ids.size;
  }

  /** Counts the requests `transport` (of either SDK) sends from now on; answers are reported through `inbound`. */
  watch<M extends AnyMessage, O>(transport: { send: (message: M, options?: O) => Promise<void> }): void {
    const send = transport.send.bind(transport);
    transport.send = (message: M, options?: O) => {
      this.#outbound(message);
      return send(message, options);
    };
  }

  /** Call with every message received on the connection. */
  inbound(message: JSONRPCMessage): void {
    if (isResponseMessage(message) && 'id' in message && message.id !== undefined) this.#settle(message.id);
  }

  /** Resolves true once nothing is pending, or false when `ms` pass first. */
  idle(ms: number): Promise<boolean> {
    if (this.#ids.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve(false);
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.push(done);
    });
  }

  #outbound(message: AnyMessage): void {
    if ('method' in message && 'id' in message && message.id !== undefined) this.#ids.add(message.id);
    // The SDK gives up on a request it cancels and ignores a late answer; so does this count.
    else if ('method' in message && message.method === 'notifications/cancelled') {
      const id = (message.params as { requestId?: string | number } | undefined)?.requestId;
      if (id !== undefined) this.#settle(id);
    }
  }

  #settle(id: string | number): void {
    if (!this.#ids.delete(id) || this.#ids.size > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
