// Raw HTTP against the gateway, below any MCP client: the security tests need to send what no SDK client would
// (a foreign Origin, a wrong Content-Type, half a body) and to see status, headers and body exactly as sent.
// Every request goes to 127.0.0.1 on its own connection, so no test depends on another's keep-alive socket.
import { request, type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly path?: string;
  /** Replaces the defaults of the same name; `undefined` removes a default header. */
  readonly headers?: Record<string, string | undefined>;
  readonly body?: string | Buffer;
  readonly timeoutMs?: number;
  /** A keep-alive agent for tests that send thousands of requests; by default each request has its own socket. */
  readonly agent?: Agent;
}

export interface Target {
  readonly port: number;
  readonly token: string;
}

/** The headers a well-behaved legacy client sends on a POST. */
export function defaultHeaders(target: Target): Record<string, string> {
  return {
    authorization: `Bearer ${target.token}`,
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
  };
}

function mergeHeaders(target: Target, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const merged: Record<string, string | undefined> = { ...defaultHeaders(target), ...extra };
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
}

/** One request on a fresh connection; resolves with the whole response. */
export function rawRequest(target: Target, options: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: options.method ?? 'POST',
        path: options.path ?? '/mcp',
        headers: mergeHeaders(target, options.headers),
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export function jsonOf(response: RawResponse): Record<string, unknown> {
  try {
    return JSON.parse(response.text) as Record<string, unknown>;
  } catch {
    throw new Error(`expected a JSON body, got HTTP ${response.status}: ${response.text.slice(0, 200)}`);
  }
}

/** The `error` member of a JSON-RPC error body, checked to be one. */
export function rpcError(response: RawResponse): { code: number; message: string; data?: unknown } {
  const body = jsonOf(response);
  if (body.jsonrpc !== '2.0' || typeof body.error !== 'object' || body.error === null) {
    throw new Error(`expected a JSON-RPC error body, got: ${response.text.slice(0, 200)}`);
  }
  return body.error as { code: number; message: string; data?: unknown };
}

export function hasAccessControlHeader(headers: IncomingHttpHeaders): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase().startsWith('access-control-allow-'));
}

export interface SseEvent {
  readonly event: string | null;
  readonly id: string | null;
  readonly data: string;
}

/** An open SSE response read as it arrives. */
export interface SseStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly events: SseEvent[];
  /** Resolves with `performance.now()` when the server ends or drops the stream. */
  readonly ended: Promise<number>;
  /** Waits for the first event (already received or not) that matches. */
  waitFor(predicate: (e: SseEvent) => boolean, timeoutMs: number): Promise<SseEvent>;
  close(): void;
}

/** Opens a GET stream; the promise settles once the status line is in (any status). */
export function openSse(target: Target, options: RawRequest = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: target.port,
      method: options.method ?? 'GET',
      path: options.path ?? '/mcp',
      headers: mergeHeaders(target, { accept: 'text/event-stream', 'content-type': undefined, ...options.headers }),
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => resolve(sseStream(res, () => req.destroy())));
    req.end(options.body);
  });
}

/** Reads an already started response as SSE (also used for POST responses that turned into a stream). */
export function sseStream(res: IncomingMessage, destroy: () => void): SseStream {
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  const ended = new Promise<number>((resolve) => {
    const done = (): void => resolve(performance.now());
    res.on('end', done);
    res.on('close', done);
    res.on('error', done);
  });
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let at: number;
    while ((at = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      const event = parseEvent(block);
      if (event) events.push(event);
    }
    for (const wake of [...waiters]) wake();
  });
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    events,
    ended,
    waitFor(predicate, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = events.find(predicate);
          if (!found) return false;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no matching SSE event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    close: destroy,
  };
}

function parseEvent(block: string): SseEvent | null {
  let event: string | null = null;
  let id: string | null = null;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (event === null && id === null && data.length === 0) return null;
  return { event, id, data: data.join('\n') };
}

/** The JSON-RPC messages carried by a stream's events. */
export function messagesOf(events: readonly SseEvent[]): Record<string, unknown>[] {
  return events.filter((e) => e.data !== '').map((e) => JSON.parse(e.data) as Record<string, unknown>);
}
