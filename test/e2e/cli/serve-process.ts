// `switchboard serve` as a real child process, for tests that signal it, and a scan of /proc for the processes a
// test marked with an environment variable (security test T73).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NODE, REPO } from '../../helpers/gateway-harness.ts';
import { startPrinting } from '../../helpers/printing-process.ts';

export const BIN = join(REPO, 'bin/switchboard.js');

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** The Dashboard link it printed, with this run's dashboard token. */
  readonly dashboard: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
}

/**
 * Starts `switchboard serve --port 0` and resolves once it has printed its URL; `nodeArgs` go on node's own command
 * line, before the script.
 */
export async function startServe(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
  options: { readonly nodeArgs?: readonly string[]; readonly timeoutMs?: number } = {},
): Promise<ServeProcess> {
  const started = await startPrinting(
    'serve',
    [...(options.nodeArgs ?? []), BIN, 'serve', '--port', '0', '--data-dir', dataDir],
    { cwd: REPO, env: { ...process.env, ...env } },
    [/Switchboard gateway: (http:\S+)/, /Dashboard: (http:\S+)/],
    options.timeoutMs ?? 20_000,
  );
  const [url, dashboard] = started.matches as [string, string];
  return { child: started.child, url, dashboard, exited: started.exited, stderr: started.stderr };
}

/** Runs the real binary once and collects its output. */
export function runBin(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(NODE, [BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** Live processes (zombies excluded) whose environment holds `NAME=value`. */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(needle)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Kills the given processes outright; for cleanup after a failed test only. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** The orphan watchdog of the serve using `dataDir` (main/supervisor/orphan-watchdog.ts), by its command line. */
export function watchdogsOf(dataDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('switchboard-watchdog') && argv.includes(join(dataDir, 'run'))) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
