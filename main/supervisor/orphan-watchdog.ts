// Children die with the gateway, even when it dies without shutting down (kill -9, a crash of the desktop app,
// the out-of-memory killer). Each stdio server runs in its own process group so it can be stopped whole, which
// also means nothing takes it down when we vanish: it only sees EOF on stdin, and a server that ignores EOF (or a
// grandchild holding the pipe) would run on until the next start reaps it from its pid file.
//
// Linux has prctl(PR_SET_PDEATHSIG), but it must be called in the child between fork and exec, which Node's spawn
// offers no hook for, and it would reach only the direct child, not the rest of its group. So a watchdog waits for
// us instead: `/bin/sh` (a megabyte or two) blocked reading a pipe whose only writer is this process. When the
// pipe closes without a stand-down word, we are gone: it snapshots the pid files at once (before a successor can
// write new ones) and hands them to the reaper (orphan-reaper.ts, run by Node only then), which kills each group
// that is still the one recorded, SIGTERM then SIGKILL after the grace. A clean shutdown says `stand-down` first.
//
// POSIX only. On Windows libuv puts every child it spawns in a job object that is killed when the parent's handle
// closes, so direct children already die with us; their own children do not (libuv lets them break away) and get
// EOF on stdin. The watchdog and the pid-file reaping at the next start back each other up.
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log/logger.ts';

const REAPER = fileURLToPath(new URL(`./orphan-reaper${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

// $1 run dir, $2 node (or Electron run as node), $3 reaper, $4 grace in ms. `read` returns at EOF as well as at a
// line; only the stand-down word ends the watch quietly.
const SCRIPT = [
  'IFS= read -r word',
  '[ "$word" = stand-down ] && exit 0',
  'for f in "$1"/*.pid; do [ -f "$f" ] && cat "$f"; done | "$2" "$3" "$4"',
].join('\n');

export interface OrphanWatchdog {
  /** The pid of the watchdog's shell, for tests and logs. */
  readonly pid: number;
  /** A clean shutdown: every child has been stopped, nothing to reap. */
  standDown(): void;
}

export interface OrphanWatchdogOptions {
  /** Where the pid files of running servers are (the data directory's run/). */
  readonly runDir: string;
  readonly graceMs: number;
  readonly logger: Logger;
  readonly platform?: NodeJS.Platform;
  /** Runs the reaper; Node itself, or Electron's binary, which acts as Node with ELECTRON_RUN_AS_NODE. */
  readonly execPath?: string;
}

/** Starts the watchdog; null where none is needed (Windows) or it could not start (logged; pid files remain). */
export function startOrphanWatchdog(options: OrphanWatchdogOptions): OrphanWatchdog | null {
  if ((options.platform ?? process.platform) === 'win32') return null;
  const execPath = options.execPath ?? process.execPath;
  const child = spawn(
    '/bin/sh',
    ['-c', SCRIPT, 'switchboard-watchdog', options.runDir, execPath, REAPER, String(options.graceMs)],
    {
      // Its own session: a Ctrl+C or a hang-up aimed at our terminal's process group must not take it down with us.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { PATH: '/usr/bin:/bin', ELECTRON_RUN_AS_NODE: '1' },
    },
  );
  child.on('error', (error) =>
    options.logger.warn('the orphan watchdog could not start; orphans are reaped at the next start instead', {
      error: error.message,
    }),
  );
  const pipe = child.stdin as Socket;
  // Neither the watchdog nor its pipe may keep this process alive.
  pipe.on('error', () => {});
  pipe.unref();
  child.unref();
  if (child.pid === undefined) return null;
  return {
    pid: child.pid,
    standDown: () => {
      if (!pipe.destroyed) pipe.end('stand-down\n');
    },
  };
}
