// Shared by the supervisor tests: fixture configs, temporary directories, captured logs, waiting for states,
// and reading /proc to see which processes are left.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  remoteServerSchema,
  stdioServerSchema,
  type RemoteServerConfig,
  type StdioServerConfig,
} from '../../../main/config/schema.ts';
import { createLogger, type Logger } from '../../../main/log/logger.ts';
import { ManagedServer, type ManagedServerOptions } from '../../../main/supervisor/managed-server.ts';
import { isStaleGroupOurs, pidRecordFor, type PidRecord } from '../../../main/supervisor/pid-file.ts';
import { isLiveState, listProcesses } from '../../../main/supervisor/proc-stat.ts';
import type { ServerState } from '../../../main/supervisor/server-state.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const STDIO_FIXTURE = fileURLToPath(new URL('../../fixtures/stdio-server.ts', import.meta.url));
export const HTTP_FIXTURE = fileURLToPath(new URL('../../fixtures/http-server.ts', import.meta.url));

type StdioInput = Parameters<typeof stdioServerSchema.parse>[0];

/** A stdio config running the fixture in `mode`, with every default filled in by the real schema. */
export function fixtureConfig(
  mode: string,
  extra: Partial<Record<string, unknown>> = {},
  args: string[] = [],
): StdioServerConfig {
  return stdioServerSchema.parse({
    command: process.execPath,
    args: [STDIO_FIXTURE, mode, ...args],
    ...extra,
  } as StdioInput);
}

export function stdioConfig(input: Record<string, unknown>): StdioServerConfig {
  return stdioServerSchema.parse(input as StdioInput);
}

export function remoteConfig(input: Record<string, unknown>): RemoteServerConfig {
  return remoteServerSchema.parse(input as Parameters<typeof remoteServerSchema.parse>[0]);
}

export interface TempDirs {
  readonly root: string;
  readonly logDir: string;
  readonly runDir: string;
  cleanup(): void;
}

export function tempDirs(prefix = 'switchboard-supervisor-'): TempDirs {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return {
    root,
    logDir: join(root, 'logs'),
    runDir: join(root, 'run'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface CapturedLog {
  readonly logger: Logger;
  readonly entries: Array<Record<string, unknown>>;
  messages(): string[];
}

/** A logger whose lines are kept, parsed, for assertions. */
export function captureLogger(): CapturedLog {
  const entries: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    write: (line) => entries.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, entries, messages: () => entries.map((e) => String(e['msg'])) };
}

/** Resolves with the first state (the current one included) matching `predicate`; rejects after `timeoutMs`. */
export function waitForState(
  server: ManagedServer,
  predicate: (state: ServerState) => boolean,
  timeoutMs = 20_000,
): Promise<ServerState> {
  if (predicate(server.state)) return Promise.resolve(server.state);
  return new Promise((resolve, reject) => {
    const onState = (state: ServerState): void => {
      if (!predicate(state)) return;
      clearTimeout(timer);
      server.off('state', onState);
      resolve(state);
    };
    const timer = setTimeout(() => {
      server.off('state', onState);
      reject(
        new Error(
          `server "${server.name}" did not reach the state in ${timeoutMs} ms; it is ${JSON.stringify(server.state)}`,
        ),
      );
    }, timeoutMs);
    server.on('state', onState);
  });
}

export function stateIs(name: ServerState['state']): (state: ServerState) => boolean {
  return (state) => state.state === name;
}

/** Polls until `check()` holds; rejects with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Live (non-zombie) processes of a process group. */
export function liveGroupMembers(pgid: number): number[] {
  return listProcesses()
    .filter((p) => p.pgrp === pgid && isLiveState(p.state))
    .map((p) => p.pid);
}

/** Children of this process that exited and were never waited for. */
export function zombieChildren(): number[] {
  return listProcesses()
    .filter((p) => p.ppid === process.pid && p.state === 'Z')
    .map((p) => p.pid);
}

/** Live processes whose environment contains `needle` (e.g. a random marker variable). */
export function processesWithEnv(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`).includes(needle)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (isLiveState(state)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * The process groups a test started, to kill what is left of them when it fails. Each is remembered with its
 * leader's start time, so a pid reused by someone else's process after the group ended is never touched.
 */
export class GroupJanitor {
  readonly #records: PidRecord[] = [];

  add(pid: number | null): void {
    // Never 0 or 1: kill(-0) is our own group (the test runner), kill(-1) everything.
    if (pid === null || !Number.isSafeInteger(pid) || pid <= 1) return;
    this.#records.push(pidRecordFor(pid, 'test'));
  }

  killAll(): void {
    for (const record of this.#records) {
      if (!isStaleGroupOurs(record)) continue;
      try {
        process.kill(-record.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

/**
 * Makes ManagedServers whose logs and pid files live in `dirs`; `track` receives each one so the test file can
 * dispose of them all when it ends. `defaults` apply to every server, `extra` to one.
 */
export function managedServers(
  dirs: TempDirs,
  track: (server: ManagedServer) => void,
  defaults: Partial<ManagedServerOptions> = {},
): (name: string, config: ManagedServerOptions['config'], extra?: Partial<ManagedServerOptions>) => ManagedServer {
  return (name, config, extra = {}) => {
    const server = new ManagedServer({
      name,
      config,
      logDir: dirs.logDir,
      runDir: dirs.runDir,
      logger: captureLogger().logger,
      ...defaults,
      ...extra,
    });
    track(server);
    return server;
  };
}
