// An MCP transport over a server process we spawned ourselves.
// The SDK's StdioClientTransport spawns its own child without a process group and signals only that child, so it
// cannot stop a launcher's tree (T40, T73). This transport talks over the pipes of a ProcessTree instead; framing
// and validation are the SDK's (serializeMessage, its JSON-RPC schemas): we only split lines.
// A line on stdout that is not a JSON-RPC message (a banner, a stray console.log) is a protocol error: counted,
// logged cut short, never forwarded and never fatal (T38). A line longer than the server's `maxMessageBytes` is
// fatal (T80): the server is stopped and its exit says which limit it crossed, since the request it answered would
// otherwise wait for its timeout and the next overlong line would be read all over again.
import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../config/schema.ts';
import { checkJsonRpcMessage } from '../protocol/jsonrpc-message.ts';
import { LineSplitter, previewLine, readJsonLine } from '../protocol/line-splitter.ts';
import type { Logger } from '../log/logger.ts';
import type { LogSink } from './log-sink.ts';
import type { ProcessTree } from './process-tree.ts';

export interface ChildStdioTransportOptions {
  readonly tree: ProcessTree;
  readonly stderrSink: LogSink;
  readonly logger: Logger;
  /** A longer line stops the server rather than being buffered without bound. */
  readonly maxMessageBytes?: number;
  /** Called for each protocol error with the offending line, cut short. */
  readonly onProtocolError?: (preview: string) => void;
}

/** Protocol errors logged one by one before only every hundredth is. */
const LOGGED_IN_FULL = 20;

export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  readonly #tree: ProcessTree;
  readonly #logger: Logger;
  readonly #maxMessageBytes: number;
  readonly #onProtocolError: ((preview: string) => void) | undefined;
  readonly #lines: LineSplitter;
  #started = false;
  #closed = false;
  #corked = false;
  #closing: Promise<void> | null = null;
  #protocolErrors = 0;
  #messagesReceived = 0;
  #firstBadLine: string | null = null;
  #overflowed: string | null = null;

  constructor(options: ChildStdioTransportOptions) {
    this.#tree = options.tree;
    this.#logger = options.logger;
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.#onProtocolError = options.onProtocolError;
    this.#lines = new LineSplitter(
      this.#maxMessageBytes,
      (line) => this.#onLine(line),
      (head) => this.#tooLong(head),
    );
    // Drained from the start: an undrained stderr pipe fills up and blocks the server mid-write.
    const sink = options.stderrSink;
    options.tree.child.stderr?.on('data', (chunk: Buffer) => sink.write(chunk));
    options.tree.child.stderr?.on('error', (error) => this.#logger.debug('stderr error', { error: error.message }));
  }

  get pid(): number {
    return this.#tree.pid;
  }

  /** Lines on stdout that were not JSON-RPC messages. */
  get protocolErrors(): number {
    return this.#protocolErrors;
  }

  /** Valid JSON-RPC messages received. */
  get messagesReceived(): number {
    return this.#messagesReceived;
  }

  /** Why this transport closed the connection itself (an overlong line), as an exit reason; null otherwise. */
  get overflowed(): string | null {
    return this.#overflowed;
  }

  /** The first line that was not JSON-RPC, cut short; null while there was none. */
  get firstBadLine(): string | null {
    return this.#firstBadLine;
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error('ChildStdioTransport already started');
    this.#started = true;
    const stdout = this.#tree.child.stdout;
    if (stdout === null) throw new Error('the server process has no stdout pipe');
    stdout.on('data', (chunk: Buffer) => this.#lines.push(chunk));
    stdout.on('error', (error) => this.#logger.debug('stdout error', { error: error.message }));
    void this.#tree.closed.then(() => this.#finish());
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.#tree.child.stdin;
    if (this.#closed || stdin === null || !stdin.writable) {
      return Promise.reject(new Error('the server process is not running'));
    }
    // Messages sent in the same turn of the event loop leave in one write: fewer system calls and fewer wake-ups
    // of the server. A turn, not a tick: requests read from several client connections at once are forwarded from
    // as many callbacks, and a tick ends with each of them.
    if (!this.#corked) {
      this.#corked = true;
      stdin.cork();
      setImmediate(() => {
        this.#corked = false;
        stdin.uncork();
      });
    }
    // Resolved once the kernel has the bytes, so a server that stops reading holds its callers, not our memory.
    return new Promise((resolve, reject) => {
      stdin.write(serializeMessage(message), (error) => {
        if (error) reject(new Error(`could not write to the server's stdin: ${error.message}`, { cause: error }));
        else resolve();
      });
    });
  }

  /** Stops the server's process tree (stdin closed, SIGTERM, SIGKILL to the group) and reports the close. */
  close(): Promise<void> {
    this.#closing ??= this.#tree.stop().then(() => this.#finish());
    return this.#closing;
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lines.end();
    this.onclose?.();
  }

  /** Stops reading and stops the server; what was read of the line is let go at once. */
  #tooLong(head: Buffer): void {
    if (this.#overflowed !== null) return;
    const reason = `was stopped: a message on its stdout exceeds ${this.#maxMessageBytes} bytes (maxMessageBytes)`;
    this.#overflowed = reason;
    this.#logger.error('a message on stdout exceeds the limit; stopping the server', {
      limit: this.#maxMessageBytes,
      setting: 'maxMessageBytes',
      line: previewLine(head),
    });
    this.#tree.child.stdout?.pause();
    this.onerror?.(new Error(`the server ${reason}`));
    void this.close();
  }

  #onLine(raw: Buffer): void {
    // Past an overlong line the server is being stopped: what it still sends is not read.
    if (this.#overflowed !== null) return;
    const read = readJsonLine(raw);
    if (read.kind === 'blank') return;
    if (read.kind === 'not-json') return this.#protocolError(read.line, 'not JSON');
    const { line, value } = read;
    const parsed = checkJsonRpcMessage(value);
    if (!parsed.success) {
      this.#protocolError(line, 'not a JSON-RPC message');
      return;
    }
    this.#messagesReceived++;
    try {
      this.onmessage?.(parsed.data);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #protocolError(line: Buffer, why: string): void {
    this.#protocolErrors++;
    const preview = previewLine(line);
    this.#firstBadLine ??= preview;
    if (this.#protocolErrors <= LOGGED_IN_FULL || this.#protocolErrors % 100 === 0) {
      this.#logger.warn('ignored a line on stdout that is not JSON-RPC', {
        why,
        line: preview,
        bytes: line.length,
        protocolErrors: this.#protocolErrors,
      });
    }
    this.#onProtocolError?.(preview);
  }
}
