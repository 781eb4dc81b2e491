// Connecting an SDK Client over a transport within a time limit, and hearing about the close afterwards.
// Client.connect has no overall limit (a transport that never opens waits forever), and a close that happens
// while `initialize` is in flight must not be mistaken for a close of the established connection.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { deliverNotificationsFirst } from './notifications-first.ts';
import type { ExitInfo } from './server-state.ts';

export class StartupTimeoutError extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number, handshake = 'initialize') {
    super(`did not answer ${handshake} within ${timeoutMs} ms`);
    this.name = 'StartupTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** Nothing could be spawned: the command, cwd or permissions are wrong, and retrying will not help. */
export class SpawnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpawnError';
  }
}

/** A start that failed, described as an exit so it is counted and reported like one. */
export class StartFailure extends Error {
  readonly exit: ExitInfo;
  readonly clean: boolean;
  constructor(exit: ExitInfo, clean: boolean) {
    super(exit.reason);
    this.name = 'StartFailure';
    this.exit = exit;
    this.clean = clean;
  }
}

export class ConnectCancelledError extends Error {
  constructor() {
    super('connecting was cancelled');
    this.name = 'ConnectCancelledError';
  }
}

/** What `connectWithin` needs of a client: the SDK 1.x `Client`, or `ModernUpstreamClient` over stdio. */
export interface ConnectingClient {
  connect(transport: Transport, options: { timeout: number }): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectWithinOptions<T extends Transport, C extends ConnectingClient = Client> {
  readonly client: C;
  readonly transport: T;
  readonly timeoutMs: number;
  /** The configured limit named in the timeout error, when `timeoutMs` is what is left of it. */
  readonly limitMs?: number | undefined;
  /** Called once, when the established connection closes (not when connecting fails). */
  readonly onClose: () => void;
  readonly onError?: ((error: Error) => void) | undefined;
  /** Aborted when the server is stopped while connecting. */
  readonly signal?: AbortSignal | undefined;
  /** Rewrites every message from the server before the client handles it (secret masking). */
  readonly inbound?: ((message: JSONRPCMessage) => JSONRPCMessage) | undefined;
  /** The request that opens the connection, named in the timeout error (default `initialize`). */
  readonly handshake?: string | undefined;
  /** What must also succeed, within the same limit, before the connection counts as established. */
  readonly ready?: ((client: C) => Promise<void>) | undefined;
}

/** Connects and initializes; on failure or timeout the client is closed (which closes the transport) and the error thrown. */
export async function connectWithin<T extends Transport, C extends ConnectingClient = Client>(
  options: ConnectWithinOptions<T, C>,
): Promise<{ client: C; transport: T }> {
  const { client, transport } = options;
  let established = false;
  let closed = false;
  // Set before connect: the SDK keeps a transport's own callbacks and calls them before its own.
  transport.onclose = () => {
    const first = !closed;
    closed = true;
    if (established && first) options.onClose();
  };
  if (options.onError) transport.onerror = options.onError;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limits = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StartupTimeoutError(options.limitMs ?? options.timeoutMs, options.handshake)),
      options.timeoutMs,
    );
    onAbort = () => reject(new ConnectCancelledError());
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    // The SDK's own request limit is set past ours, so the error a caller sees is ours, naming the limit.
    deliverNotificationsFirst(transport, options.inbound);
    const ready = options.ready;
    const connected = client.connect(transport, { timeout: options.timeoutMs + 1_000 });
    await Promise.race([ready === undefined ? connected : connected.then(() => ready(client)), limits]);
  } catch (error) {
    // Not awaited: stopping a process tree takes its grace periods, and the caller owns the tree's teardown.
    void client.close().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
  if (closed) throw new Error('the connection closed right after initialize');
  established = true;
  return { client, transport };
}
