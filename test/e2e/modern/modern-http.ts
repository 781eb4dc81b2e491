// 2026-07-28 requests for the modern-era tests: the `_meta` envelope and mirrored headers a modern client sends,
// raw POSTs whose answer (JSON or SSE) can be read or cut off mid-way, an SDK 2.x client pinned to 2026-07-28, and
// what the upstream fixture recorded.
import { request, type ClientRequest } from 'node:http';
import type { TestContext } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { NODE, type Harness } from '../../helpers/gateway-harness.ts';
import { rawRequest, sseStream, type RawResponse, type SseStream, type Target } from '../security/raw-http.ts';

export const MODERN = '2026-07-28';
export const MODERN_FIXTURE = new URL('./modern-fixture.ts', import.meta.url).pathname;

/** A stdio server entry running this folder's fixture (a 2025-11-25-only upstream). */
export function modernFixtureServer(): { command: string; args: string[] } {
  return { command: NODE, args: [MODERN_FIXTURE] };
}

/** The per-request `_meta` envelope, with any extra keys (progressToken, logLevel) merged in. */
export function envelope(extra: Record<string, unknown> = {}, version = MODERN): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': version,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'modern-e2e', version: '1.0.0' },
    ...extra,
  };
}

let nextId = 1;

export interface ModernBody {
  readonly id: number | string;
  readonly method: string;
  readonly params: Record<string, unknown>;
}

/** A modern request body: `params` plus the envelope (replaced by `meta` when given). */
export function modernBody(
  method: string,
  params: Record<string, unknown> = {},
  meta?: Record<string, unknown>,
): ModernBody {
  return { id: nextId++, method, params: { ...params, _meta: meta ?? envelope() } };
}

/** The headers a modern client sends for `body`: version, method and (where the spec wants it) name. */
export function modernHeaders(body: ModernBody, version = MODERN): Record<string, string> {
  const name = body.method === 'resources/read' ? body.params.uri : body.params.name;
  return {
    'mcp-protocol-version': version,
    'mcp-method': body.method,
    ...(typeof name === 'string' && ['tools/call', 'prompts/get', 'resources/read'].includes(body.method)
      ? { 'mcp-name': name }
      : {}),
  };
}

/** POSTs a modern request and reads the whole answer; `headers` replace (or, when undefined, remove) defaults. */
export function modernPost(
  target: Target,
  body: ModernBody,
  options: { headers?: Record<string, string | undefined>; path?: string } = {},
): Promise<RawResponse> {
  return rawRequest(target, {
    path: options.path ?? '/mcp',
    headers: { ...modernHeaders(body), ...options.headers },
    body: JSON.stringify({ jsonrpc: '2.0', ...body }),
  });
}

/** The JSON-RPC messages of an answer, whether it came as one JSON object or as an SSE stream. */
export function messagesIn(response: RawResponse): Record<string, unknown>[] {
  if (!(response.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    return [JSON.parse(response.text) as Record<string, unknown>];
  }
  return response.text
    .split('\n\n')
    .flatMap((block) => block.split('\n').filter((line) => line.startsWith('data:')))
    .map((line) => JSON.parse(line.slice(5).trim()) as Record<string, unknown>);
}

/** The answer's result (the last message), failing with the body when it is not a result. */
export function resultOf(response: RawResponse): Record<string, unknown> {
  const last = messagesIn(response).at(-1);
  if (last === undefined || typeof last.result !== 'object' || last.result === null) {
    throw new Error(`expected a result, got HTTP ${response.status}: ${response.text.slice(0, 300)}`);
  }
  return last.result as Record<string, unknown>;
}

export interface OpenStream {
  readonly request: ClientRequest;
  /** Resolves once the status line is in; the events then arrive on `stream.events`. */
  readonly response: Promise<SseStream>;
}

/** POSTs a JSON-RPC body whose answer is read as it comes, so the test can close it half-way. */
export function openPost(target: Target, body: object, headers: Record<string, string>): OpenStream {
  const req = request({
    host: '127.0.0.1',
    port: target.port,
    method: 'POST',
    path: '/mcp',
    agent: false,
    headers: {
      authorization: `Bearer ${target.token}`,
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
      ...headers,
    },
  });
  const response = new Promise<SseStream>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => resolve(sseStream(res, () => req.destroy())));
  });
  // A request destroyed before its answer rejects `response`; a test that closes it on purpose does not wait for it.
  response.catch(() => {});
  req.end(JSON.stringify({ jsonrpc: '2.0', ...body }));
  return { request: req, response };
}

/** A modern request whose answer is read as it comes (closing it is the modern cancel). */
export function openModern(target: Target, body: ModernBody): OpenStream {
  return openPost(target, body, modernHeaders(body));
}

/** An SDK 2.x client pinned to 2026-07-28, closed when the test ends. */
export async function connectModern(
  t: TestContext,
  h: Harness,
  options: { path?: string; token?: string } = {},
): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(options.path ?? '/mcp', h.origin), {
    requestInit: { headers: { authorization: `Bearer ${options.token ?? h.token}` } },
  });
  const client = new Client(
    { name: 'modern-e2e', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN } } },
  );
  await client.connect(transport);
  t.after(() => client.close());
  return client;
}

export interface Cancellation {
  readonly tool: string;
  readonly request: string;
  /** When the upstream saw it (epoch ms, written by the fixture). */
  readonly at: number;
}

/** The cancellations the fixture behind `server` has recorded so far. */
export function cancellations(h: Harness, server: string): Cancellation[] {
  const lines = h.core.supervisor.get(server)?.stderrTail(200) ?? [];
  return lines.flatMap((line) => {
    const match = /^cancelled (\S+) request=(\S+) at=(\d+)$/.exec(line);
    return match ? [{ tool: match[1]!, request: match[2]!, at: Number(match[3]) }] : [];
  });
}

/** How many tools/call requests the fixture behind `server` has received, by tool (asked through the gateway). */
export async function upstreamCalls(target: Target, server = 'fx'): Promise<Record<string, number>> {
  const counted = await modernPost(target, modernBody('tools/call', { name: `${server}__calls`, arguments: {} }));
  const text = ((resultOf(counted).content as { text: string }[])[0] ?? { text: '{}' }).text;
  // The questions themselves are calls too; they are left out.
  const { calls: _asked, ...calls } = JSON.parse(text) as Record<string, number>;
  return calls;
}
