// Small helpers shared by the gateway end-to-end tests: bounded polling, timing, and reading MCP errors.
import { Readable } from 'node:stream';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

/** Polls `check` every 25 ms until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitUntil<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Runs `fn` and returns its outcome (value or error) and how long it took in milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

/** The error as an McpError, or a failed assertion naming what it was instead. */
export function asMcpError(error: unknown): McpError {
  if (error instanceof McpError) return error;
  throw new Error(`expected an MCP error, got ${error instanceof Error ? error.stack : String(error)}`);
}

/** Shows a measured figure in the test report (the tests only bound it loosely). */
export function report(t: TestContext, label: string, value: number | string): void {
  t.diagnostic(`${label}: ${typeof value === 'number' ? `${value.toFixed(0)} ms` : value}`);
}

/** A promise that resolves with the first value `subscribe` hands its callback, or rejects after `timeoutMs`. */
export function nextEvent<T>(
  subscribe: (callback: (value: T) => void) => void,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI in this process, as `switchboard ARGV...` would, and collects what it prints; `stdin` is piped in. */
export async function runCliInProcess(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
  stdin?: string,
): Promise<CliRun> {
  const { runCli } = await import('../../../main/cli/cli.ts');
  let out = '';
  let err = '';
  const input = stdin === undefined ? undefined : Readable.from([Buffer.from(stdin)]);
  const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (err += s), env, stdin: input });
  return { code, out, err };
}
