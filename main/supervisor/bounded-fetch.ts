// The fetch of one remote connection, with the two limits the SDK's HTTP transports leave out.
// Size (T81): the SDK reads a JSON answer whole (`response.json()`) and an SSE event whole, however large; here a
// JSON body stops at the server's `maxMessageBytes`, and so does any one SSE event. The connection is closed, and
// the caller gets an error naming the server's limit: a JSON body's read fails with it, an SSE stream ends with an
// error answer for each request its POST carried (the SDK would otherwise wait for an answer that never comes).
// Sockets (T82): the SDK cancels a request that timed out (notifications/cancelled) but leaves its fetch running;
// here the cancel aborts that request's fetch, so a server that never answers does not keep a socket per call.
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { FetchLike } from '../net/guarded-fetch.ts';

/** The gateway's code for a message over a size limit (GatewayErrorCode.BodyTooLarge). */
export const MESSAGE_TOO_LARGE = -32002;

export interface BoundedFetchOptions {
  /** The server's name, for the error. */
  readonly server: string;
  readonly maxMessageBytes: number;
}

type Id = string | number;

/** An answer over the limit; an McpError so the caller sees its code and data as they are. */
export class MessageTooLargeError extends McpError {
  constructor(server: string, limit: number) {
    super(MESSAGE_TOO_LARGE, tooLargeMessage(server, limit), dataOf(limit));
    this.name = 'MessageTooLargeError';
  }
}

function dataOf(limit: number): { limit: number; setting: string } {
  return { limit, setting: 'maxMessageBytes' };
}

export function tooLargeMessage(server: string, limit: number): string {
  return `server "${server}" sent a message over ${limit} bytes (its maxMessageBytes); reading stopped and the connection was closed`;
}

export function boundedFetch(fetch: FetchLike, options: BoundedFetchOptions): FetchLike {
  // The fetch carrying each request that is still open, so its cancel can abort it.
  const open = new Map<Id, AbortController>();
  return async (url, init) => {
    const { requests, cancelled } = idsOf(init?.body);
    for (const id of cancelled) open.get(id)?.abort(new Error(`request ${id} was cancelled`));
    const controller = new AbortController();
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    for (const id of requests) open.set(id, controller);
    const release = (): void => {
      for (const id of requests) if (open.get(id) === controller) open.delete(id);
    };
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal });
    } catch (error) {
      release();
      throw error;
    }
    return bounded(response, { ...options, requests, release, abort: () => controller.abort() });
  };
}

/** The requests a POST body carries and the requests it cancels; nothing for a body that is not JSON-RPC. */
function idsOf(body: unknown): { requests: Id[]; cancelled: Id[] } {
  const ids = { requests: [] as Id[], cancelled: [] as Id[] };
  if (typeof body !== 'string' || body === '') return ids;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return ids;
  }
  for (const message of Array.isArray(value) ? value : [value]) {
    if (typeof message !== 'object' || message === null) continue;
    const { id, method, params } = message as { id?: unknown; method?: unknown; params?: { requestId?: unknown } };
    if (typeof method !== 'string') continue;
    if (isId(id)) ids.requests.push(id);
    else if (method === 'notifications/cancelled' && isId(params?.requestId)) ids.cancelled.push(params.requestId);
  }
  return ids;
}

function isId(value: unknown): value is Id {
  return typeof value === 'string' || typeof value === 'number';
}

interface BodyLimits extends BoundedFetchOptions {
  readonly requests: readonly Id[];
  readonly release: () => void;
  readonly abort: () => void;
}

const encoder = new TextEncoder();
const NEWLINE = 0x0a;
const CR = 0x0d;

/** The response with its body counted as it is read: in total for JSON and anything else, per event for SSE. */
function bounded(response: Response, limits: BodyLimits): Response {
  if (response.body === null) {
    limits.release();
    return response;
  }
  const sse = (response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/event-stream');
  const limit = limits.maxMessageBytes;
  let bytes = 0;
  // For SSE: the length of the line being read, to see the blank line that ends an event.
  let lineBytes = 0;
  const count = (chunk: Uint8Array): void => {
    if (!sse) {
      bytes += chunk.length;
      return;
    }
    let start = 0;
    let newline: number;
    while ((newline = chunk.indexOf(NEWLINE, start)) >= 0) {
      const line = lineBytes + newline - start - (newline > start && chunk[newline - 1] === CR ? 1 : 0);
      if (line === 0) bytes = 0;
      else bytes += newline - start + 1;
      lineBytes = 0;
      start = newline + 1;
    }
    bytes += chunk.length - start;
    lineBytes += chunk.length - start;
  };
  const limited = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      count(chunk);
      if (bytes <= limit) return controller.enqueue(chunk);
      limits.release();
      if (sse) {
        // The event read so far is ended under a name the SDK skips, then each open request gets its error.
        controller.enqueue(encoder.encode(`\nevent: overflow\n\n${errorEvents(limits).join('')}`));
        controller.terminate();
      } else controller.error(new MessageTooLargeError(limits.server, limit));
      limits.abort();
    },
    flush: () => limits.release(),
  });
  return new Response(response.body.pipeThrough(limited), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

function errorEvents(limits: BodyLimits): string[] {
  return limits.requests.map((id) => {
    const { server, maxMessageBytes: limit } = limits;
    const error = { code: MESSAGE_TOO_LARGE, message: tooLargeMessage(server, limit), data: dataOf(limit) };
    const message = { jsonrpc: '2.0', id, error };
    return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
  });
}
