// The `switchboard serve` under test: a data directory with the chaos servers configured and a client token, and
// the process itself on a fixed loopback port, so that clients find it again after it is killed and restarted.
// Every exit is recorded; one the run did not cause is a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ConfigInput } from '../main/config/schema.ts';
import { writeConfig } from '../main/config/write-config.ts';
import { TokenStore } from '../main/gateway/auth/token-store.ts';
import { dataDirPaths } from '../main/paths/data-dir.ts';
import { GATEWAY_FIXTURE } from '../test/helpers/gateway-harness.ts';
export { freePort } from '../test/helpers/free-port.ts';
import { REPO_ROOT, SWITCHBOARD_BIN } from '../bench/paths.ts';

const FAULT_SERVER = fileURLToPath(new URL('./fault-server.ts', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STDERR_TAIL_CHARS = 4_000;

/** Every server's calls end within callMaxTotalMs; a call not settled this long after it is overdue. */
export const CALL_LIMIT_MS = 4_000;

export type Group = 'healthy' | 'victim' | 'hang' | 'stdout-flood' | 'stderr-flood' | 'malformed' | 'streamer';

export interface ChaosServer {
  readonly name: string;
  readonly group: Group;
  readonly command: readonly string[];
}

export const SERVERS: readonly ChaosServer[] = [
  { name: 'steady1', group: 'healthy', command: [GATEWAY_FIXTURE, 'tools'] },
  { name: 'steady2', group: 'healthy', command: [GATEWAY_FIXTURE, 'tools'] },
  { name: 'victim1', group: 'victim', command: [GATEWAY_FIXTURE, 'tools'] },
  { name: 'victim2', group: 'victim', command: [GATEWAY_FIXTURE, 'tools'] },
  { name: 'hanger', group: 'hang', command: [GATEWAY_FIXTURE, 'tools'] },
  { name: 'floodout', group: 'stdout-flood', command: [FAULT_SERVER, 'stdout-flood'] },
  { name: 'flooderr', group: 'stderr-flood', command: [FAULT_SERVER, 'stderr-flood'] },
  { name: 'malformed', group: 'malformed', command: [FAULT_SERVER, 'malformed'] },
  { name: 'streamer', group: 'streamer', command: [GATEWAY_FIXTURE, 'tools'] },
];

/** Writes config.json (every server always on, short timeouts, quick restarts) and returns a client token. */
export async function prepareDataDir(dataDir: string): Promise<string> {
  const servers = Object.fromEntries(
    SERVERS.map((s) => [
      s.name,
      {
        command: process.execPath,
        args: [...s.command],
        start: 'always' as const,
        restart: { initialBackoffMs: 100, maxBackoffMs: 1_000, maxCrashes: 1_000, crashWindowMs: 1_000 },
        timeouts: { callMs: 2_000, callMaxTotalMs: CALL_LIMIT_MS, stopGraceMs: 500 },
      },
    ]),
  );
  const config: ConfigInput = { gateway: { host: '127.0.0.1', drainMs: 2_000 }, servers };
  const written = await writeConfig(dataDirPaths(dataDir).config, config);
  if (!written.ok) throw new Error(`the chaos config.json is invalid: ${JSON.stringify(written.problems)}`);
  const minted = await new TokenStore(dataDirPaths(dataDir).tokens).create('chaos');
  if (!minted.ok) throw new Error(`could not create a client token: ${minted.error}`);
  return minted.value.token;
}

export interface ServeExit {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly deliberate: boolean;
}

export class ServeProcess {
  readonly exits: ServeExit[] = [];
  readonly #dataDir: string;
  readonly #port: number;
  #child: ChildProcess | null = null;
  #deliberate = false;
  #stderr = '';

  constructor(dataDir: string, port: number) {
    this.#dataDir = dataDir;
    this.#port = port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/mcp`;
  }

  get port(): number {
    return this.#port;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  stderrTail(): string {
    return this.#stderr.trim();
  }

  /** Starts serve and resolves once /readyz says every server runs. */
  async start(): Promise<void> {
    this.#deliberate = false;
    const child = spawn(
      process.execPath,
      [SWITCHBOARD_BIN, '--data-dir', this.#dataDir, 'serve', '--port', String(this.#port), '--json'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    child.stdout!.resume();
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL_CHARS)));
    const pid = child.pid!;
    child.once('exit', (code, signal) => this.exits.push({ pid, code, signal, deliberate: this.#deliberate }));
    await this.#waitReady();
  }

  /** kill -9, as the out-of-memory killer would; resolves once the process is gone. */
  async kill(): Promise<void> {
    await this.#end('SIGKILL');
  }

  /** SIGTERM: drain and exit. */
  async stop(): Promise<void> {
    await this.#end('SIGTERM');
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (child === null || !this.running) return;
    this.#deliberate = true;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  }

  async #waitReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = '';
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`serve exited while starting; stderr:\n${this.stderrTail()}`);
      try {
        const response = await fetch(`http://127.0.0.1:${this.#port}/readyz`);
        last = await response.text();
        if (response.status === 200) return;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(100);
    }
    throw new Error(`serve was not ready within ${READY_TIMEOUT_MS} ms; last /readyz answer: ${last}`);
  }
}
