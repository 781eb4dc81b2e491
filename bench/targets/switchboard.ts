// (c) Switchboard: `switchboard serve` as its own process, with the echo server configured as stdio servers,
// reached through the aggregated /mcp endpoint with a client token. Audit is always on in the core.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { ConfigInput } from '../../main/config/schema.ts';
import { writeConfig } from '../../main/config/write-config.ts';
import { TokenStore } from '../../main/gateway/auth/token-store.ts';
import { dataDirPaths } from '../../main/paths/data-dir.ts';
import { ECHO_SERVER, REPO_ROOT, SWITCHBOARD_BIN } from '../paths.ts';
import { startAnnouncing } from './child.ts';
import { connectHttp } from './connection.ts';
import { START_TIMEOUT_MS, type Target } from './target.ts';

const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 100;

export interface SwitchboardOptions {
  /** Names of the echo servers to configure; the first one's tool is the target's tool. */
  readonly servers: readonly string[];
  /** Flags for the serve process's Node (for example --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  /** More settings of each server (for example `start: "on-demand"`, or `args` for another server), by name. */
  readonly settings?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** An existing data directory to serve from (its lists cache is kept); a fresh one when absent. */
  readonly dataDir?: string;
  /** The `policy` section of config.json; none (every call allowed) when absent. */
  readonly policy?: ConfigInput['policy'];
  /** How often /readyz is polled while serve starts; finer polling times the start more closely. */
  readonly readyPollMs?: number;
}

export interface SwitchboardTarget extends Target {
  readonly dataDir: string;
  /** From spawning serve until /readyz first answered 200 (to within `readyPollMs`). */
  readonly startToReadyMs: number;
  /** Stops serve and returns how many tool calls its audit log recorded. */
  stopAndCountAudit(): Promise<number>;
  /** Stops serve and leaves its data directory for another run. */
  stopKeepingData(): Promise<void>;
}

export async function switchboard(options: SwitchboardOptions): Promise<SwitchboardTarget> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'switchboard-bench-')));
  const paths = dataDirPaths(dataDir);
  const servers = Object.fromEntries(
    options.servers.map((name) => [
      name,
      { command: process.execPath, args: [ECHO_SERVER], ...options.settings?.[name] },
    ]),
  );
  const config: ConfigInput = {
    gateway: { host: '127.0.0.1' },
    servers,
    ...(options.policy === undefined ? {} : { policy: options.policy }),
  };
  const written = await writeConfig(paths.config, config);
  if (!written.ok) throw new Error(`the benchmark's config.json is invalid: ${JSON.stringify(written.problems)}`);
  const minted = await new TokenStore(paths.tokens).create(`bench-${Date.now()}`);
  if (!minted.ok) throw new Error(`could not create a client token: ${minted.error}`);
  const headers = { authorization: `Bearer ${minted.value.token}` };

  const spawnedAt = performance.now();
  const started = await startAnnouncing('switchboard serve', {
    command: process.execPath,
    args: [...(options.nodeArgs ?? []), SWITCHBOARD_BIN, '--data-dir', dataDir, 'serve', '--port', '0', '--json'],
    cwd: REPO_ROOT,
    timeoutMs: START_TIMEOUT_MS,
  });
  const url = String(started.announced['url']);
  let startToReadyMs: number;
  try {
    await waitReady(new URL('/readyz', url), options.readyPollMs ?? READY_POLL_MS);
    startToReadyMs = performance.now() - spawnedAt;
  } catch (error) {
    await started.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\nserve's stderr:\n${started.stderrTail() || '(empty)'}`, {
      cause: error,
    });
  }

  const stopAndCountAudit = async (keep = false): Promise<number> => {
    await started.stop();
    const db = new Database(paths.audit, { readonly: true });
    try {
      const row = db.prepare("SELECT count(*) AS n FROM audit WHERE method = 'tools/call'").get() as { n: number };
      return row.n;
    } finally {
      db.close();
      if (!keep) await rm(dataDir, { recursive: true, force: true });
    }
  };
  return {
    name: 'switchboard',
    tool: `${options.servers[0]}__echo`,
    pid: started.pid,
    dataDir,
    startToReadyMs,
    connect: () => connectHttp(url, headers),
    stopAndCountAudit: () => stopAndCountAudit(),
    stopKeepingData: async () => void (await stopAndCountAudit(true)),
    stop: async () => void (await stopAndCountAudit()),
  };
}

/** Polls /readyz, which answers 200 once every enabled server runs. */
async function waitReady(readyz: URL, pollMs: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(readyz);
      last = await response.text();
      if (response.status === 200) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(pollMs);
  }
  throw new Error(`switchboard serve was not ready within ${READY_TIMEOUT_MS} ms; last /readyz answer: ${last}`);
}
