// One supervised server: its state machine, its process (or remote connection) and its SDK Client.
// starting → running ⇄ degraded (failed pings); an exit or a lost connection → backoff → starting again, or
// failed: `crash-loop` when too many crashes fall in the window, `exited` when the restart policy keeps it down,
// `spawn-error` when there is nothing to run. Every asynchronous step carries the epoch it started in; stop() and
// each new launch move the epoch on, so a late callback of an old process can never touch the new one.
//
// Restart policy, as applied here:
// - `on-failure` (default): a crash (non-zero exit, signal, failed start, failed pings) is retried with backoff;
//   a clean exit (code 0) leaves the server in failed{exited}.
// - `always`: any end is retried; clean exits count towards the crash loop too, so an immediate exit 0 cannot spin.
// - `never`: any end leaves the server in failed{exited}.
// A command that cannot be found or spawned is failed{spawn-error}, never retried: it needs a config change.
// Any start or restart by hand clears the crash history and the backoff.
import { EventEmitter } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import { CrashHistory } from './backoff.ts';
import { ConnectCancelledError, SpawnError, StartFailure } from './connect.ts';
import { EXIT_TAIL_LINES, exitReason, isCleanExit, unavailableMessage } from './exit-info.ts';
import { HealthMonitor } from './health-monitor.ts';
import { LogSink } from './log-sink.ts';
import type { ProcessTree } from './process-tree.ts';
import { connectRemoteServer } from './remote-transport.ts';
import { assertNever, isServing, type ExitInfo, type ServerState } from './server-state.ts';
import { currentSpawnEnvInputs, type SpawnEnvInputs } from './spawn-env.ts';
import { connectStdio } from './stdio-connection.ts';

/**
 * What Switchboard declares to every upstream. Servers such as server-everything register their sampling,
 * elicitation and roots tools only for clients that declare these (gateway-notes §10); the gateway answers the
 * requests through handlers it registers in `onClient`.
 */
export const CLIENT_CAPABILITIES = { sampling: {}, elicitation: {}, roots: { listChanged: true } } as const;

export interface ServerCounters {
  /** Processes started (stdio) or connections attempted (remote). */
  readonly spawns: number;
  /** Ends that were not clean: non-zero exits, signals, failed starts, failed health checks. */
  readonly crashes: number;
  /** Lines on stdout that were not JSON-RPC. */
  readonly protocolErrors: number;
}

export interface ServerLogOptions {
  readonly maxBytes?: number;
  readonly keep?: number;
}

export interface ManagedServerOptions {
  readonly name: string;
  readonly config: ServerConfig;
  /** Where `<name>.log` (the server's stderr) is written. */
  readonly logDir: string;
  /** Where `<name>.pid` is kept while its process runs. */
  readonly runDir: string;
  readonly logger: Logger;
  /** Called with each new Client before it connects, to register notification and request handlers. */
  readonly onClient?: (client: Client) => void;
  readonly now?: () => number;
  readonly random?: () => number;
  /** The parent environment and platform a child's environment is built from. */
  readonly spawnEnv?: () => SpawnEnvInputs;
  /** The cwd of servers that configure none, and what a relative cwd is resolved against. */
  readonly defaultCwd?: string;
  readonly log?: ServerLogOptions;
  readonly clientVersion?: string;
}

interface Connection {
  readonly client: Client;
  readonly transport: Transport;
  readonly tree: ProcessTree | null;
  /** The stderr mark when this connection began: its exit quotes only its own lines. */
  readonly mark: number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ManagedServer extends EventEmitter<{ state: [ServerState] }> {
  readonly name: string;
  readonly #options: ManagedServerOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #sink: LogSink;
  #config: ServerConfig;
  #crashes: CrashHistory;
  #state: ServerState = { state: 'stopped' };
  #lastExit: ExitInfo | null = null;
  #conn: Connection | null = null;
  /** The current process, from spawn until its teardown ends. */
  #tree: ProcessTree | null = null;
  #epoch = 0;
  #launching: Promise<void> | null = null;
  #abort: AbortController | null = null;
  /** Resolves when the last process is gone entirely (group ended, pid file removed). */
  #teardown: Promise<void> = Promise.resolve();
  #retryTimer: NodeJS.Timeout | null = null;
  #health: HealthMonitor | null = null;
  /** Why the current connection is being closed by us, when it is (failed pings). */
  #closingReason: string | null = null;
  readonly #counters = { spawns: 0, crashes: 0, protocolErrors: 0 };

  constructor(options: ManagedServerOptions) {
    super();
    this.name = options.name;
    this.#options = options;
    this.#config = options.config;
    this.#logger = options.logger.child({ server: options.name });
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#crashes = new CrashHistory(options.config.restart, this.#now, this.#random);
    this.#sink = new LogSink({
      dir: options.logDir,
      name: options.name,
      maxBytes: options.log?.maxBytes,
      keep: options.log?.keep,
    });
  }

  get config(): ServerConfig {
    return this.#config;
  }

  get state(): ServerState {
    return this.#state;
  }

  /** The connected client, only while the server is serving (running or degraded). */
  get client(): Client | null {
    return isServing(this.#state) ? (this.#conn?.client ?? null) : null;
  }

  /** The pid of the running process (stdio servers), null otherwise. */
  get pid(): number | null {
    const tree = this.#tree;
    return tree !== null && !tree.hasExited ? tree.pid : null;
  }

  get counters(): ServerCounters {
    return { ...this.#counters };
  }

  get lastExit(): ExitInfo | null {
    return this.#lastExit;
  }

  /** The file the server's stderr is written to. */
  get logPath(): string {
    return this.#sink.path;
  }

  /** Rotations of the stderr log since this server was created. */
  get logRotations(): number {
    return this.#sink.rotations;
  }

  /** The last lines of stderr (and, for a remote server, transport errors), oldest first. */
  stderrTail(lines?: number): string[] {
    return this.#sink.tail(lines);
  }

  /** What to tell a caller while the server cannot serve: state, last exit, stderr tail, next retry. */
  unavailableError(): string {
    return unavailableMessage({
      name: this.name,
      config: this.#config,
      state: this.#state,
      lastExit: this.#lastExit,
      now: this.#now(),
    });
  }

  /**
   * Starts the server unless it is already starting or serving; in backoff, retries now. Resolves when this
   * attempt has settled (serving, backoff or failed); never rejects: failures are states.
   */
  start(): Promise<void> {
    const state = this.#state;
    switch (state.state) {
      case 'starting':
      case 'running':
      case 'degraded':
        return this.#launching ?? Promise.resolve();
      case 'backoff':
        this.#clearRetry();
        return this.#begin(state.attempt);
      case 'stopped':
      case 'failed':
        this.#crashes.reset();
        return this.#begin(1);
      default:
        return assertNever(state);
    }
  }

  /** Stops the server and waits until its whole process group is gone. */
  async stop(): Promise<void> {
    this.#epoch++;
    this.#abort?.abort();
    this.#abort = null;
    this.#clearRetry();
    this.#stopHealth();
    const conn = this.#conn;
    this.#conn = null;
    const tree = this.#tree;
    const launching = this.#launching;
    if (this.#state.state !== 'stopped') this.#setState({ state: 'stopped' });
    await Promise.allSettled([conn?.client.close(), tree?.stop(), launching]);
    await this.#teardown;
  }

  /** Stops and starts again, with the crash history and backoff cleared. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Takes a new configuration: stops the server first; starting it again is the caller's choice. */
  async reconfigure(config: ServerConfig): Promise<void> {
    await this.stop();
    this.#config = config;
    this.#crashes = new CrashHistory(config.restart, this.#now, this.#random);
  }

  /** Stops the server and releases its log file; the object is not used after this. */
  async dispose(): Promise<void> {
    await this.stop();
    this.#sink.close();
    this.removeAllListeners();
  }

  #begin(attempt: number): Promise<void> {
    const epoch = ++this.#epoch;
    const run = this.#launch(epoch, attempt);
    this.#launching = run;
    return run;
  }

  async #launch(epoch: number, attempt: number): Promise<void> {
    this.#setState({ state: 'starting', since: this.#now(), attempt });
    await this.#teardown;
    if (epoch !== this.#epoch) return;
    const abort = new AbortController();
    this.#abort = abort;
    let conn: Connection;
    try {
      const config = this.#config;
      conn =
        config.transport === 'stdio'
          ? await connectStdio({
              name: this.name,
              config,
              runDir: this.#options.runDir,
              sink: this.#sink,
              logger: this.#logger,
              spawnEnv: (this.#options.spawnEnv ?? currentSpawnEnvInputs)(),
              defaultCwd: this.#options.defaultCwd ?? process.cwd(),
              newClient: () => this.#newClient(),
              now: this.#now,
              signal: abort.signal,
              isCurrent: () => epoch === this.#epoch,
              onSpawned: (tree, teardown) => this.#adopt(tree, teardown),
              onProtocolError: () => this.#counters.protocolErrors++,
              onClose: () => this.#lost(epoch),
            })
          : await this.#connectRemote(epoch, abort.signal);
    } catch (error) {
      if (epoch !== this.#epoch || error instanceof ConnectCancelledError) return;
      this.#startFailed(error, attempt);
      return;
    } finally {
      if (this.#abort === abort) this.#abort = null;
    }
    if (epoch !== this.#epoch) {
      void conn.client.close().catch(() => {});
      return;
    }
    this.#conn = conn;
    this.#logger.info('server is running', { pid: conn.tree?.pid ?? null, attempt });
    this.#setState({ state: 'running', since: this.#now(), pid: conn.tree?.pid ?? null });
    this.#watchHealth(epoch, conn);
  }

  #newClient(): Client {
    const client = new Client(
      { name: 'switchboard', version: this.#options.clientVersion ?? '0.1.0' },
      { capabilities: { ...CLIENT_CAPABILITIES } },
    );
    try {
      this.#options.onClient?.(client);
    } catch (error) {
      this.#logger.error('onClient hook failed', { error: messageOf(error) });
    }
    return client;
  }

  /** Takes ownership of a spawned tree: counted, and the next start waits for its teardown. */
  #adopt(tree: ProcessTree, teardown: Promise<void>): void {
    this.#tree = tree;
    this.#counters.spawns++;
    this.#teardown = teardown.finally(() => {
      if (this.#tree === tree) this.#tree = null;
    });
  }

  async #connectRemote(epoch: number, signal: AbortSignal): Promise<Connection> {
    const config = this.#config;
    if (config.transport === 'stdio') throw new Error('not a remote server');
    this.#counters.spawns++;
    const { client, transport, mark } = await connectRemoteServer(config, {
      newClient: () => this.#newClient(),
      timeoutMs: config.timeouts.startupMs,
      logger: this.#logger,
      onClose: () => this.#lost(epoch),
      signal,
      sink: this.#sink,
      now: this.#now,
    });
    return { client, transport, tree: null, mark };
  }

  #startFailed(error: unknown, attempt: number): void {
    if (error instanceof SpawnError) {
      this.#logger.error('server could not be spawned', { error: error.message });
      this.#setState({ state: 'failed', reason: 'spawn-error', message: error.message, lastExit: this.#lastExit });
      return;
    }
    const failure =
      error instanceof StartFailure
        ? error
        : new StartFailure(
            {
              code: null,
              signal: null,
              stderrTail: [],
              at: this.#now(),
              reason: `failed to start: ${messageOf(error)}`,
            },
            false,
          );
    this.#ended(failure.exit, failure.clean, attempt);
  }

  /** The established connection closed: the process exited, the remote went away, or we closed it (pings). */
  #lost(epoch: number): void {
    const conn = this.#conn;
    if (epoch !== this.#epoch || conn === null) return;
    this.#conn = null;
    this.#stopHealth();
    const closingReason = this.#closingReason;
    this.#closingReason = null;
    this.#sink.endLine();
    const status = conn.tree?.status ?? null;
    const reason =
      closingReason ??
      (conn.tree === null ? 'closed the connection' : exitReason(status?.code ?? null, status?.signal ?? null));
    const exit: ExitInfo = {
      code: status?.code ?? null,
      signal: status?.signal ?? null,
      stderrTail: this.#sink.linesSince(conn.mark, EXIT_TAIL_LINES),
      at: this.#now(),
      reason,
    };
    const clean = closingReason === null && status !== null && isCleanExit(status.code, status.signal);
    this.#ended(exit, clean, 1);
  }

  /** After any end: counts it, then backoff, crash-loop parking, or staying down, as the restart policy says. */
  #ended(exit: ExitInfo, clean: boolean, attempt: number): void {
    this.#lastExit = exit;
    if (!clean) this.#counters.crashes++;
    const { mode, crashWindowMs } = this.#config.restart;
    this.#logger.warn('server ended', { reason: exit.reason, code: exit.code, signal: exit.signal, mode });
    if (mode === 'never' || (clean && mode === 'on-failure')) {
      this.#setState({
        state: 'failed',
        reason: 'exited',
        message: `it ${exit.reason} and its restart policy is "${mode}"`,
        lastExit: exit,
      });
      return;
    }
    const verdict = this.#crashes.record();
    if (verdict.parked) {
      this.#logger.error('server is crash-looping; parked until restarted by hand', { crashes: verdict.crashes });
      this.#setState({
        state: 'failed',
        reason: 'crash-loop',
        message: `it ended ${verdict.crashes} times within ${Math.round(crashWindowMs / 1000)} s`,
        lastExit: exit,
      });
      return;
    }
    const next = Math.max(attempt, verdict.attempt) + 1;
    this.#setState({ state: 'backoff', retryAt: verdict.retryAt, attempt: next, lastExit: exit });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#begin(next);
    }, verdict.delayMs);
    this.#retryTimer.unref();
  }

  #watchHealth(epoch: number, conn: Connection): void {
    const current = (): boolean => epoch === this.#epoch && this.#conn === conn;
    const pid = conn.tree?.pid ?? null;
    let since = 0;
    this.#health = new HealthMonitor(this.#config.health, (timeout) => conn.client.ping({ timeout }), {
      failed: (failedPings, lastError) => {
        if (!current()) return;
        if (failedPings === 1) since = this.#now();
        this.#logger.warn('ping failed', { failedPings, error: lastError });
        this.#setState({ state: 'degraded', since, pid, failedPings, lastError });
      },
      recovered: () => {
        if (!current()) return;
        this.#logger.info('server answers pings again');
        this.#setState({ state: 'running', since: this.#now(), pid });
      },
      gaveUp: (failedPings, lastError) => {
        if (!current()) return;
        this.#closingReason = `stopped answering pings (${failedPings} failed in a row; last: ${lastError})`;
        void conn.client.close().catch(() => {});
      },
    });
    this.#health.start();
  }

  #stopHealth(): void {
    this.#health?.stop();
    this.#health = null;
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #setState(state: ServerState): void {
    this.#state = state;
    this.#logger.debug('state', { state: state.state });
    try {
      this.emit('state', state);
    } catch (error) {
      this.#logger.error('a state listener threw', { error: messageOf(error) });
    }
  }
}
