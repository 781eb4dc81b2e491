// A real `switchboard serve` process for the fuzz tests, so a crash is a process that exited and memory is the
// serve's own resident set, read from /proc; plus the checks every answer to hostile input must pass.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import { startServe, type ServeProcess } from '../cli/serve-process.ts';
import { runCliInProcess, waitUntil } from '../gateway/support.ts';
import { rawRequest, type RawResponse, type Target } from '../security/raw-http.ts';

export interface FuzzServe {
  readonly serve: ServeProcess;
  readonly target: Target;
  readonly dataDir: string;
}

/** serve with the echo fixture running and a token for client `fuzz`; stopped however the test ends. */
export async function startFuzzServe(t: TestContext): Promise<FuzzServe> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-fuzz-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const written = await writeConfig(dataDirPaths(dataDir).config, {
    servers: { echo: { ...fixtureServer('echo'), start: 'always' } },
    gateway: { drainMs: 500 },
  });
  if (!written.ok) throw new Error(`bad fuzz config: ${JSON.stringify(written.problems)}`);
  const created = await runCliInProcess(['--data-dir', dataDir, 'token', 'create', 'fuzz', '--json']);
  if (created.code !== 0) throw new Error(`token create failed: ${created.err}`);
  const token = (JSON.parse(created.out) as { token: string }).token;
  // The inspector on a free loopback port lets the test collect garbage before it measures the heap.
  const serve = await startServe(dataDir, { NODE_OPTIONS: '--inspect=127.0.0.1:0' });
  t.after(async () => {
    if (alive(serve.child)) {
      serve.child.kill('SIGTERM');
      const killer = setTimeout(() => serve.child.kill('SIGKILL'), 5_000);
      await serve.exited;
      clearTimeout(killer);
    }
  });
  const target = { port: Number(new URL(serve.url).port), token };
  await waitUntil(async () => {
    const ready = await rawRequest(target, { method: 'GET', path: '/readyz', headers: { 'content-type': undefined } });
    return ready.status === 200 ? true : undefined;
  }, 'the echo server to run');
  return { serve, target, dataDir };
}

export function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * serve's V8 heap in MiB right after a full collection, asked through its inspector: the resident set moves by
 * a hundred MiB with the collector's timing alone, a collected heap only with what is really held.
 */
export async function heapAfterGcMiB(serve: ServeProcess): Promise<number> {
  const urls = [...serve.stderr().matchAll(/Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/g)];
  // serve re-executes itself once with its own flags: the last inspector is the one that serves.
  const url = urls.at(-1)?.[1];
  if (url === undefined) throw new Error(`serve has no inspector; stderr: ${serve.stderr().slice(-500)}`);
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot reach serve's inspector at ${url}`)), {
      once: true,
    });
  });
  const answers = new Map<number, (result: unknown) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) answers.get(message.id)?.(message.result);
  });
  let next = 0;
  const ask = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve) => {
      const id = ++next;
      answers.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    await ask('HeapProfiler.collectGarbage');
    const answer = (await ask('Runtime.evaluate', {
      expression: 'process.memoryUsage().heapUsed',
      returnByValue: true,
    })) as { result: { value: number } };
    return answer.result.value / (1024 * 1024);
  } finally {
    socket.close();
  }
}

/** The process's resident set in MiB, from /proc/<pid>/status. */
export function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  return Number(match[1]) / 1024;
}

export async function healthy(target: Target): Promise<boolean> {
  const health = await rawRequest(target, { method: 'GET', path: '/healthz', headers: { 'content-type': undefined } });
  return health.status === 200 && health.text === '{"status":"ok"}';
}

/** Signs of an internal failure leaking out: a V8 stack frame, an HTML page, a Node error banner. */
const LEAKS = [/(\n|\\n)\s+at \S.*:\d+:\d+/, /\.(ts|js|cjs|mjs):\d+:\d+/, /<html|<!doctype/i, /node:internal\//];

/**
 * The JSON-RPC codes a refusal may carry: the standard ones, and the server-defined range (-32000 to -32099)
 * that MCP and the gateway use for their own refusals.
 */
export function acceptableCode(code: unknown): boolean {
  if (typeof code !== 'number' || !Number.isInteger(code)) return false;
  return [-32700, -32600, -32601, -32602, -32603].includes(code) || (code <= -32000 && code >= -32099);
}

/** What is wrong with one JSON-RPC message from the gateway, or null when it is well-formed. */
export function messageProblem(message: unknown): string | null {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return 'not a JSON object';
  const m = message as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return 'jsonrpc is not "2.0"';
  if ('method' in m) return typeof m.method === 'string' ? null : 'method is not a string';
  if ('result' in m) return typeof m.result === 'object' && m.result !== null ? null : 'result is not an object';
  if (!('error' in m)) return 'neither result, error nor method';
  const error = m.error as Record<string, unknown> | null;
  if (typeof error !== 'object' || error === null) return 'error is not an object';
  if (!acceptableCode(error.code)) return `error code ${JSON.stringify(error.code)} is not a JSON-RPC error code`;
  if (typeof error.message !== 'string' || error.message === '') return 'error has no message';
  return null;
}

/** What is wrong with an HTTP answer to a fuzz case, or null when it is a well-formed refusal or result. */
export function answerProblem(response: RawResponse): string | null {
  if (response.status >= 500) return `HTTP ${response.status}`;
  for (const leak of LEAKS) if (leak.test(response.text)) return `internals in the body: ${leak}`;
  if (response.status === 202) return response.text === '' ? null : '202 with a body';
  const type = String(response.headers['content-type'] ?? '');
  if (type.startsWith('text/event-stream')) {
    const data = response.text
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .filter((line) => line !== '');
    if (data.length === 0) return 'an SSE answer without a message';
    for (const line of data) {
      const problem = parsedProblem(line);
      if (problem) return `SSE: ${problem}`;
    }
    return null;
  }
  if (!type.startsWith('application/json')) return `content-type "${type}"`;
  return parsedProblem(response.text);
}

function parsedProblem(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 120)}`;
  }
  const messages = Array.isArray(value) ? value : [value];
  if (messages.length === 0) return 'an empty batch answer';
  for (const message of messages) {
    const problem = messageProblem(message);
    if (problem) return problem;
  }
  return null;
}

/** The error code of a single JSON-RPC error answer, or null when it is not one. */
export function errorCodeOf(response: RawResponse): number | null {
  try {
    const body = JSON.parse(response.text) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'number' ? body.error.code : null;
  } catch {
    return null;
  }
}
