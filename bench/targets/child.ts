// A process the benchmark starts and must stop: spawned with its output drained, awaited until it announces
// itself with a JSON line on stdout, and stopped with SIGTERM, then SIGKILL for it and anything it left behind.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { descendants, identify, isSameProcess, type ProcessIdentity } from '../proc.ts';

const STDERR_TAIL_CHARS = 4_000;

export interface StartedProcess {
  readonly pid: number;
  /** The first line of stdout that parsed as a JSON object. */
  readonly announced: Record<string, unknown>;
  /** The last few kilobytes of stderr, for error messages. */
  stderrTail(): string;
  /** SIGTERM, up to `graceMs` to exit, then SIGKILL for the process and every descendant it had. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly timeoutMs: number;
}

export async function startAnnouncing(what: string, options: StartOptions): Promise<StartedProcess> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });
  const stderrTail = (): string => stderr.trim();

  const announced = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => fail(`did not announce itself within ${options.timeoutMs} ms`), options.timeoutMs);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${what} ${why}; stderr:\n${stderrTail() || '(empty)'}`));
    };
    child.once('error', (error) => fail(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => fail(`exited before announcing itself (code ${code}, signal ${signal})`));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        const parsed = parseObject(line);
        if (parsed === null) continue;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        // Keep draining stdout so the process never blocks on a full pipe.
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve(parsed);
        return;
      }
    });
  });

  const pid = child.pid!;
  let stopping: Promise<void> | null = null;
  const stop = (graceMs = 10_000): Promise<void> =>
    (stopping ??= (async () => {
      const below = descendants(pid)
        .map(identify)
        .filter((p): p is ProcessIdentity => p !== null);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        // Cancelled once the process exits, so a pending grace timer never holds the benchmark open.
        const grace = new AbortController();
        const timer = sleep(graceMs, 'timeout' as const, { signal: grace.signal }).catch(() => 'exited' as const);
        const outcome = await Promise.race([exited.then(() => 'exited' as const), timer]);
        grace.abort();
        if (outcome === 'timeout') {
          child.kill('SIGKILL');
          await exited;
        }
      }
      for (const leftover of below.filter(isSameProcess)) {
        try {
          process.kill(leftover.pid, 'SIGKILL');
        } catch {
          // Exited between the check and the signal, as it should have.
        }
      }
    })());
  return { pid, announced, stderrTail, stop };
}

function parseObject(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
