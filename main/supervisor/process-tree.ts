// A stdio server as a process tree: spawned in its own process group, stopped as a whole.
// Launchers (`npx` → `sh` → `node`, `uvx` → `python`) leave their children running when only the direct child
// is signalled, holding ports, files and credentials (gateway-notes §8, security tests T40 and T73). So each
// server leads its own process group (`detached: true`), and every signal goes to `-pgid`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.ts';
import { hasProcfs, isLiveState, listProcesses } from './proc-stat.ts';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnTreeOptions {
  /** An absolute path, already resolved (see resolveCommand). */
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Grace between the steps of a stop, and before killing what a crashed leader left behind. */
  readonly graceMs: number;
  readonly logger: Logger;
  readonly platform?: NodeJS.Platform;
}

const POLL_MS = 25;
/** After the group is gone, how long to wait for the pipes to report closed before closing them ourselves. */
const CLOSE_WAIT_MS = 1_000;

/**
 * Whether a number can name a process group of ours. `kill(-0)` would signal our own group and `kill(-1)` every
 * process we may signal, so anything that is not a pid above 1 is refused before it reaches kill(2).
 */
export function isValidPgid(pgid: number): boolean {
  return Number.isSafeInteger(pgid) && pgid > 1;
}

/** Whether any process of the group still runs. On Linux zombies do not count; elsewhere `kill(-pgid, 0)` decides. */
export function isGroupAlive(pgid: number, platform: NodeJS.Platform = process.platform): boolean {
  if (!isValidPgid(pgid)) return false;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The group exists; on Linux, look closer, as a group of zombies waiting for their reaper runs nothing.
  return !hasProcfs(platform) || listProcesses().some((p) => p.pgrp === pgid && isLiveState(p.state));
}

/** Sends a signal to every process of a group; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  if (!isValidPgid(pgid)) throw new Error(`refusing to signal process group ${pgid}`);
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Polls until `gone()` holds or the time is up; true when it holds. */
export async function waitFor(gone: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!gone()) {
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
  }
  return true;
}

/**
 * Terminates a process group politely, then by force: SIGTERM, up to `graceMs` for it to go, then SIGKILL.
 * Used for leftovers of a crashed leader and for a predecessor found through its pid file.
 */
export async function terminateGroup(pgid: number, graceMs: number, logger: Logger): Promise<void> {
  if (!isGroupAlive(pgid)) return;
  logger.info('sending SIGTERM to process group', { pgid });
  signalGroup(pgid, 'SIGTERM');
  if (await waitFor(() => !isGroupAlive(pgid), graceMs)) return;
  logger.warn('sending SIGKILL to process group', { pgid });
  signalGroup(pgid, 'SIGKILL');
  await waitFor(() => !isGroupAlive(pgid), graceMs);
}

/** One spawned server process and the group it leads. */
export class ProcessTree {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Equal to `pid` on POSIX, where the child leads its own group. */
  readonly pgid: number;
  /** The leader exited (its code or signal). */
  readonly exited: Promise<ExitStatus>;
  /** The leader exited and its stdio pipes are closed: nothing more will be read from it. */
  readonly closed: Promise<ExitStatus>;
  /** Closed, and no other process of its group is left running. */
  readonly done: Promise<ExitStatus>;

  readonly #graceMs: number;
  readonly #logger: Logger;
  readonly #posix: boolean;
  #status: ExitStatus | null = null;
  #stopping: Promise<ExitStatus> | null = null;
  /** Set once the group is known to be gone: its pgid may then be reused by anyone and is never signalled again. */
  #finished = false;

  constructor(child: ChildProcess, options: SpawnTreeOptions) {
    if (child.pid === undefined) throw new Error('the child process has no pid: it was not spawned');
    this.child = child;
    this.pid = child.pid;
    this.pgid = child.pid;
    this.#graceMs = options.graceMs;
    this.#logger = options.logger;
    this.#posix = (options.platform ?? process.platform) !== 'win32';
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#status = { code, signal };
        resolve(this.#status);
      });
    });
    this.closed = new Promise((resolve) => {
      child.once('close', (code, signal) => resolve(this.#status ?? { code, signal }));
    });
    // Writing to a child that is gone fails with EPIPE; that is reported by the exit, never a crash of ours.
    child.stdin?.on('error', (error) => this.#logger.debug('stdin error', { error: error.message }));
    this.done = this.#track();
  }

  /** How the leader ended; null while it runs. */
  get status(): ExitStatus | null {
    return this.#status;
  }

  get hasExited(): boolean {
    return this.#status !== null;
  }

  /** Whether the leader or any process of its group still runs. */
  isAlive(): boolean {
    if (this.#finished) return false;
    if (!this.hasExited) return true;
    return this.#posix && isGroupAlive(this.pgid);
  }

  /** Stops the tree: stdin closed, grace, SIGTERM to the group, grace, SIGKILL to the group; logged step by step. */
  stop(): Promise<ExitStatus> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<ExitStatus> {
    this.#drainUnread();
    const fields = { pid: this.pid, pgid: this.pgid };
    if (this.isAlive()) {
      this.#logger.info('stop: closing stdin', fields);
      this.child.stdin?.end();
      if (!(await waitFor(() => !this.isAlive(), this.#graceMs))) {
        this.#logger.info('stop: sending SIGTERM to process group', fields);
        this.#signal('SIGTERM');
        if (!(await waitFor(() => !this.isAlive(), this.#graceMs))) {
          this.#logger.warn('stop: sending SIGKILL to process group', fields);
          this.#signal('SIGKILL');
        }
      }
    }
    return this.done;
  }

  /**
   * Output nobody reads (a tree stopped before its transport was attached) is discarded: an unread pipe never
   * reports its end, and a full one blocks the writer.
   */
  #drainUnread(): void {
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream !== null && stream.listenerCount('data') === 0) stream.resume();
    }
  }

  #signal(signal: NodeJS.Signals): void {
    if (this.#finished) return;
    try {
      if (this.#posix) signalGroup(this.pgid, signal);
      else this.child.kill(signal);
    } catch (error) {
      this.#logger.warn('could not signal the process group', { pgid: this.pgid, signal, error: String(error) });
    }
  }

  /**
   * Follows the tree to its end. When the leader exits by itself (a crash, or `kill -9` of a launcher) whatever
   * it started is still in the group and may hold our pipes open; it is terminated, so nothing outlives its leader.
   */
  async #track(): Promise<ExitStatus> {
    const status = await this.exited;
    this.#drainUnread();
    if (this.#posix && this.#stopping === null && isGroupAlive(this.pgid)) {
      this.#logger.info('leader exited; terminating the rest of its process group', { pgid: this.pgid });
      await terminateGroup(this.pgid, this.#graceMs, this.#logger).catch((error: unknown) =>
        this.#logger.error('could not terminate the process group', { pgid: this.pgid, error: String(error) }),
      );
    }
    if (this.#posix) {
      // After a SIGKILL the kernel needs a moment; a group that never empties is logged, never waited on forever.
      if (!(await waitFor(() => !isGroupAlive(this.pgid), this.#graceMs + CLOSE_WAIT_MS))) {
        this.#logger.error('process group still has live members after SIGKILL', { pgid: this.pgid });
      }
    }
    // A descendant that left the group (setsid) may still hold a pipe open; stop listening to it.
    const closedInTime = await Promise.race([this.closed.then(() => true), sleep(CLOSE_WAIT_MS).then(() => false)]);
    if (!closedInTime) {
      this.#logger.warn('stdio still open after the process group ended; closing it', { pid: this.pid });
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
      this.child.stdin?.destroy();
    }
    this.#finished = true;
    return status;
  }
}

/** Spawns a server as the leader of a new process group, with exactly the environment given. */
export async function spawnTree(options: SpawnTreeOptions): Promise<ProcessTree> {
  if (!existsSync(options.cwd) || !statSync(options.cwd).isDirectory()) {
    throw new Error(`working directory "${options.cwd}" does not exist or is not a directory; fix the server's cwd`);
  }
  const platform = options.platform ?? process.platform;
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: { ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: platform !== 'win32',
    shell: false,
    windowsHide: true,
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      child.off('spawn', onSpawn);
      reject(new Error(`could not start "${options.command}": ${error.message}`, { cause: error }));
    };
    const onSpawn = (): void => {
      child.off('error', onError);
      resolve();
    };
    child.once('error', onError);
    child.once('spawn', onSpawn);
  });
  // Later errors (a failed kill) must not become uncaught exceptions.
  child.on('error', (error) => options.logger.warn('child process error', { error: error.message }));
  return new ProcessTree(child, options);
}
