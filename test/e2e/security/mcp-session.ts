// Legacy (initialize-era) sessions driven by raw HTTP, plus the harness plumbing every security test shares: a
// core per test (the failure throttle counts every 401 of a process, so tests must not share one), torn down
// however the test ends.
import { request, type ClientRequest } from 'node:http';
import type { TestContext } from 'node:test';
import type { ConfigInput } from '../../../main/config/schema.ts';
import type { AuditEvent } from '../../../main/audit/audit-event.ts';
import type { AuditQuery } from '../../../main/audit/audit-query.ts';
import { NODE, fixtureServer, isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { defaultHeaders, jsonOf, rawRequest, type RawRequest, type RawResponse, type Target } from './raw-http.ts';

export const SECURITY_FIXTURE = new URL('./security-fixture.ts', import.meta.url).pathname;

/** A stdio server entry running this folder's fixture (progress floods, tool-list changes). */
export function securityFixtureServer(): { command: string; args: string[] } {
  return { command: NODE, args: [SECURITY_FIXTURE] };
}

/** Starts a core with the echo fixture (and any other servers) and waits until all of them run. */
export async function startCore(t: TestContext, config: ConfigInput = {}): Promise<Harness> {
  const h = await startHarness({ servers: { echo: fixtureServer('echo') }, ...config });
  t.after(() => h.close());
  for (const name of Object.keys(config.servers ?? { echo: null })) await h.waitForState(name, isRunning);
  return h;
}

export function targetOf(h: Harness, token = h.token): Target {
  return { port: Number(new URL(h.url).port), token };
}

export function initializeBody(version = '2025-11-25', id: number | string = 1): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'security-e2e', version: '1.0.0' } },
  });
}

export interface OpenedSession {
  readonly id: string;
  readonly protocolVersion: string;
  readonly path: string;
}

/** initialize + notifications/initialized; fails the test unless the gateway opened a session. */
export async function openSession(
  target: Target,
  options: { version?: string; path?: string } = {},
): Promise<OpenedSession> {
  const path = options.path ?? '/mcp';
  const init = await rawRequest(target, { path, body: initializeBody(options.version) });
  const id = init.headers['mcp-session-id'];
  if (init.status !== 200 || typeof id !== 'string') {
    throw new Error(`initialize failed: HTTP ${init.status} ${init.text.slice(0, 300)}`);
  }
  const result = jsonOf(init).result as { protocolVersion: string };
  const initialized = await rawRequest(target, {
    path,
    headers: { 'mcp-session-id': id, 'mcp-protocol-version': result.protocolVersion },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  if (initialized.status !== 202) throw new Error(`notifications/initialized: HTTP ${initialized.status}`);
  return { id, protocolVersion: result.protocolVersion, path };
}

/** A POST on a session over a fresh connection, sent at once; the caller reads (or does not read) the answer. */
export function postOnSession(target: Target, session: OpenedSession, body: string): ClientRequest {
  const req = request({
    host: '127.0.0.1',
    port: target.port,
    method: 'POST',
    path: session.path,
    agent: false,
    headers: {
      ...defaultHeaders(target),
      'mcp-session-id': session.id,
      'mcp-protocol-version': session.protocolVersion,
    },
  });
  req.end(body);
  return req;
}

let nextId = 1000;

/** One JSON-RPC request on a session (or on none when `session` is null). */
export function rpc(
  target: Target,
  session: OpenedSession | null,
  method: string,
  params: Record<string, unknown> = {},
  options: RawRequest & { id?: number | string } = {},
): Promise<RawResponse> {
  const headers: Record<string, string | undefined> = session
    ? { 'mcp-session-id': session.id, 'mcp-protocol-version': session.protocolVersion }
    : {};
  return rawRequest(target, {
    path: session?.path ?? '/mcp',
    ...options,
    headers: { ...headers, ...options.headers },
    body: options.body ?? JSON.stringify({ jsonrpc: '2.0', id: options.id ?? nextId++, method, params }),
  });
}

export function echoCall(text: string, tool = 'echo__echo'): Record<string, unknown> {
  return { name: tool, arguments: { text } };
}

export function audit(h: Harness, query: AuditQuery = {}): AuditEvent[] {
  return h.core.audit.query({ limit: 10_000, ...query }).events;
}

/** Tool calls the gateway forwarded (or tried to): the audit trail records every one. */
export function toolCalls(h: Harness): number {
  return audit(h, { method: 'tools/call' }).length;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The promise's value, or a rejection naming `what` after `ms`; the timer never outlives the race. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when `ended` has not settled after `ms`. */
export async function stillOpen(ended: Promise<unknown>, ms: number): Promise<boolean> {
  return within(ended, ms, 'open').then(
    () => false,
    () => true,
  );
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
