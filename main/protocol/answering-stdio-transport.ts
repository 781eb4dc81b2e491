// The stdio side of `switchboard bridge`: reads the client's messages from stdin and writes answers to stdout, like
// the SDK's StdioServerTransport, but answers what it cannot forward as JSON-RPC asks (section 5): a line that is
// not JSON gets -32700 and one that is JSON but no valid message -32600, with the request's id when it has a usable
// one. The SDK's transport drops such lines without a word, leaving the client to wait for an answer forever, and
// closes itself on a line over its buffer size; here an overlong line is refused and skipped like any bad one.
import type { Readable, Writable } from 'node:stream';
import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { checkJsonRpcMessage } from './jsonrpc-message.ts';
import { LineSplitter, previewLine, readJsonLine } from './line-splitter.ts';

/** The longest line read from the client: above any gateway body limit worth setting, below a memory problem. */
export const MAX_STDIO_LINE_BYTES = 16 * 1024 * 1024;

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

export interface AnsweringStdioOptions {
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  readonly maxLineBytes?: number;
  /** Told about each line that was refused, cut short, for the bridge's stderr. */
  readonly onRefused?: (why: string, preview: string) => void;
}

export class AnsweringStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  readonly #stdin: Readable;
  readonly #stdout: Writable;
  readonly #maxLineBytes: number;
  readonly #onRefused: (why: string, preview: string) => void;
  readonly #lines: LineSplitter;
  readonly #onData = (chunk: Buffer): void => this.#lines.push(chunk);
  readonly #onError = (error: Error): void => this.onerror?.(error);
  #started = false;
  #closed = false;

  constructor(options: AnsweringStdioOptions = {}) {
    this.#stdin = options.stdin ?? process.stdin;
    this.#stdout = options.stdout ?? process.stdout;
    this.#maxLineBytes = options.maxLineBytes ?? MAX_STDIO_LINE_BYTES;
    this.#onRefused = options.onRefused ?? (() => {});
    this.#lines = new LineSplitter(
      this.#maxLineBytes,
      (line) => this.#onLine(line),
      (head) =>
        this.#refuse(
          null,
          INVALID_REQUEST,
          `Invalid Request: the message is longer than ${this.#maxLineBytes} bytes`,
          head,
        ),
    );
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error('AnsweringStdioTransport already started');
    this.#started = true;
    this.#stdin.on('data', this.#onData);
    this.#stdin.on('error', this.#onError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stdout.write(serializeMessage(message))) resolve();
      else this.#stdout.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stdin.off('data', this.#onData);
    this.#stdin.off('error', this.#onError);
    if (this.#stdin.listenerCount('data') === 0) this.#stdin.pause();
    this.onclose?.();
  }

  #onLine(raw: Buffer): void {
    const read = readJsonLine(raw);
    if (read.kind === 'blank') return;
    if (read.kind === 'not-json') return this.#refuse(null, PARSE_ERROR, `Parse error: ${read.reason}`, read.line);
    const { line, value } = read;
    const parsed = checkJsonRpcMessage(value);
    if (parsed.success) {
      try {
        this.onmessage?.(parsed.data);
      } catch (error) {
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      }
      return;
    }
    if (Array.isArray(value)) {
      this.#refuse(null, INVALID_REQUEST, 'Invalid Request: batches are not accepted over stdio', line);
      return;
    }
    // A malformed response is never answered (that would start a loop of errors); it is only reported.
    const object = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
    if (
      object !== null &&
      !Object.hasOwn(object, 'method') &&
      (Object.hasOwn(object, 'result') || Object.hasOwn(object, 'error'))
    ) {
      this.#onRefused('not a valid JSON-RPC response', previewLine(line));
      return;
    }
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    this.#refuse(usableId(object), INVALID_REQUEST, `Invalid Request: not a JSON-RPC 2.0 message${where}`, line);
  }

  #refuse(id: RequestId | null, code: number, message: string, line: Buffer): void {
    this.#onRefused(message, previewLine(line));
    const error = { jsonrpc: '2.0', id, error: { code, message } };
    void this.send(error as unknown as JSONRPCMessage);
  }
}

/** The request's id when it is one JSON-RPC allows (a string or an integer), else null as the spec says. */
function usableId(object: Record<string, unknown> | null): RequestId | null {
  const id = object?.id;
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return id;
  return null;
}
