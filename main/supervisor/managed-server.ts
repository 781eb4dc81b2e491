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
import { readdir } from 'node:fs/promises';
import type { Transport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { RemoteServerConfig, ServerConfig } from '../config/schema.ts';
import { LoginRequiredError, type SwitchboardOAuthProvider } from '../oauth/oauth-provider.ts';
import type { ExpiryStanding } from '../vault/expiry.ts';
import type { Logger } from '../log/logger.ts';
import { CrashHistory } from './backoff.ts';
import { ChildStdioTransport } from './child-stdio-transport.ts';
import { ConnectCancelledError, SpawnError, StartFailure } from './connect.ts';
import { EXIT_TAIL_LINES, exitReason, isCleanExit, unavailableMessage } from './exit-info.ts';
import { HealthMonitor } from './health-monitor.ts';
import { InstancePool, type InstanceConnection, type InstanceHooks, type InstanceRef } from './instance-pool.ts';
import { LogSink } from './log-sink.ts';
import type { ProcessTree } from './process-tree.ts';
import type { ModernUpstreamClient } from './modern-upstream-client.ts';
import { connectRemoteServer } from './remote-transport.ts';
import { assertNever, isServing, type ExitInfo, type ServerState } from './server-state.ts';
import { currentSpawnEnvInputs, type SpawnEnvInputs } from './spawn-env.ts';
import { PendingRequests } from './pending-requests.ts';
import { reapPredecessor } from './pid-file.ts';
import { connectStdio } from './stdio-connection.ts';
import { approvalMissing } from './command-approval.ts';
import type { ResolvedServer } from '../vault/resolve-secrets.ts';
import { eraOf, type UpstreamClient, type UpstreamEra } from './upstream-client.ts';

/**
 * What Switchboard declares to every upstream. Servers such as server-everything register their sampling,
 * elicitation and roots tools only for clients that declare these (gateway-notes §10); the gateway answers the
 * requests through handlers it registers in `onClient`. Both elicitation modes are declared: a bare
 * `elicitation: {}` means form only, and the SDK's client refuses a URL-mode request itself, before any client
 * of the gateway could be asked (whether that client supports the mode is its session's or request's to say).
 */
export const CLIENT_CAPABILITIES = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
} as const;

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
  readonly onClient?: (client: UpstreamClient) => void;
  /** The same for the client of an isolated server's instance, with whose instance it is. */
  readonly onInstanceClient?: (client: UpstreamClient, instance: InstanceRef) => void;
  readonly now?: () => number;
  readonly random?: () => number;
  /** The parent environment and platform a child's environment is built from. */
  readonly spawnEnv?: () => SpawnEnvInputs;
  /** The cwd of servers that configure none, and what a relative cwd is resolved against. */
  readonly defaultCwd?: string;
  readonly log?: ServerLogOptions;
  readonly clientVersion?: string;
  /** Makes the OAuth client of a remote server (loaded from the vault); without it OAuth is not attempted. */
  readonly oauth?: (server: string, config: RemoteServerConfig) => Promise<SwitchboardOAuthProvider>;
  /** Fills `${secret:NAME}` references just before each spawn or connect; without it the config is used as is. */
  readonly resolveSecrets?: (config: ServerConfig) => Promise<ResolvedServer>;
  /** Masks secrets: in the stderr log and its tail (text), and in every message the server sends (JSON). */
  readonly redact?: Redaction;
}

export interface Redaction {
  readonly text: (text: string) => string;
  readonly message: (message: JSONRPCMessage) => JSONRPCMessage;
}

interface Connection {
  readonly client: UpstreamClient;
  /** The SDK 1.x transport, or the SDK 2.x one of a connection that speaks 2026-07-28. */
  readonly transport: Transport | ModernTransport;
  readonly tree: ProcessTree | null;
  /** Requests sent on this connection and not yet answered. */
  readonly pending: PendingRequests;
  /** The stderr mark when this connection began: its exit quotes only its own lines. */
  readonly mark: number;
}

/** The reason a stdio connection closed itself: a message over the server's `maxMessageBytes` (T80). */
function overflowOf(conn: Connection): string | null {
  return conn.transport instanceof ChildStdioTransport ? conn.transport.overflowed : null;
}

/** The pid file of a slot: `<name>` for slot 0 (as before rotations existed), `<name>.1` for slot 1. */
function slotName(name: string, slot: 0 | 1): string {
  return slot === 0 ? name : `${name}.1`;
}

/** The pid and log files of an isolated server's instance in `slot`: `<name>.i<slot>` (names hold no dot). */
function instanceSlotName(name: string, slot: number): string {
  return `${name}.i${slot}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ManagedServer extends EventEmitter<{ state: [ServerState]; log: [line: string] }> {
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
  #lastStartMs: number | null = null;
  #conn: Connection | null = null;
  /** The current process, from spawn until its teardown ends. */
  #tree: ProcessTree | null = null;
  #epoch = 0;
  #launching: Promise<void> | null = null;
  #abort: AbortController | null = null;
  #rotating: Promise<string | null> | null = null;
  #oauth: SwitchboardOAuthProvider | null = null;
  /** Which pid-file slot the current instance uses. */
  #slot: 0 | 1 = 0;
  #rotationAbort: AbortController | null = null;
  /** Instances on their way out (rotated away, or started for a rotation that was abandoned); stop() waits for them. */
  readonly #retiring = new Set<Promise<unknown>>();
  /** Old connections still draining after a rotation; stop() cuts their drain short. */
  readonly #retiringConns = new Set<Connection>();
  /** Resolves when the last process is gone entirely (group ended, pid file removed). */
  #teardown: Promise<void> = Promise.resolve();
  #retryTimer: NodeJS.Timeout | null = null;
  #health: HealthMonitor | null = null;
  /** Why the current connection is being closed by us, when it is (failed pings). */
  #closingReason: string | null = null;
  readonly #counters = { spawns: 0, crashes: 0, protocolErrors: 0 };
  /** The stderr logs of instances, by slot; kept for the server's life, like its own. */
  readonly #instanceSinks = new Map<number, LogSink>();
  /** The per-client or per-session instances of an isolated server (config `isolation`). */
  readonly instances: InstancePool;

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
      redact: options.redact?.text,
      // Only while someone watches: a line nobody shows costs nothing more than the tail it is kept in.
      onLine: (line) => {
        if (this.listenerCount('log') > 0) this.emit('log', line);
      },
    });
    this.instances = new InstancePool({
      server: options.name,
      logger: this.#logger,
      policy: () => this.#config,
      open: (slot, ref, signal, hooks) => this.#openInstance(slot, ref, signal, hooks),
      sweep: () => this.#sweepInstances(),
    });
  }

  get config(): ServerConfig {
    return this.#config;
  }

  get state(): ServerState {
    return this.#state;
  }

  /** The connected client, only while the server is serving (running or degraded). */
  get client(): UpstreamClient | null {
    return isServing(this.#state) ? (this.#conn?.client ?? null) : null;
  }

  /** The era the current connection speaks, while serving. */
  get era(): UpstreamEra | null {
    const client = this.client;
    return client === null ? null : eraOf(client);
  }

  /** The pid of the running process (stdio servers), null otherwise. */
  get pid(): number | null {
    const tree = this.#tree;
    return tree !== null && !tree.hasExited ? tree.pid : null;
  }

  get counters(): ServerCounters {
    return { ...this.#counters };
  }

  /** Where the server's OAuth authorization stands against its end; null for servers nobody signed in to. */
  get oauthStanding(): ExpiryStanding | null {
    return this.#oauth?.tokenStanding() ?? null;
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
      case 'idle':
      case 'failed':
      case 'blocked':
        this.#crashes.reset();
        return this.#begin(1);
      default:
        return assertNever(state);
    }
  }

  /**
   * What a request for an on-demand server waits on: an idle server is started, one already starting is waited
   * for; resolves when that attempt has settled (serving, backoff, failed or blocked). A server in any other
   * state is left alone: one in backoff or parked answers at once with why.
   */
  demand(): Promise<void> {
    switch (this.#state.state) {
      case 'idle':
        return this.start();
      case 'starting':
        return this.#launching ?? Promise.resolve();
      default:
        return Promise.resolve();
    }
  }

  /** An on-demand server that is enabled but not running waits in `idle` for its first use. */
  park(): void {
    if (this.#state.state === 'stopped') this.#setState({ state: 'idle', since: this.#now() });
  }

  /** Stops an on-demand server nothing holds: its process goes, and the next request starts it again. */
  idleStop(): Promise<void> {
    this.#logger.info('idle; stopping until the next request', { idleStopAfter: this.#config.idleStopAfter });
    return this.stop('idle');
  }

  /** How long the last start took, from its launch to a finished initialize (ms); null before the first. */
  get lastStartMs(): number | null {
    return this.#lastStartMs;
  }

  /** Stops the server and waits until its whole process group is gone. */
  async stop(into: 'stopped' | 'idle' = 'stopped'): Promise<void> {
    this.#epoch++;
    this.#abort?.abort();
    this.#abort = null;
    this.#rotationAbort?.abort();
    this.#rotationAbort = null;
    this.#clearRetry();
    this.#stopHealth();
    const conn = this.#conn;
    this.#conn = null;
    const tree = this.#tree;
    const launching = this.#launching;
    if (this.#state.state !== into) {
      this.#setState(into === 'idle' ? { state: 'idle', since: this.#now() } : { state: 'stopped' });
    }
    const draining = [...this.#retiringConns].flatMap((c) => [c.client.close(), c.tree?.stop()]);
    await Promise.allSettled([
      conn?.client.close(),
      tree?.stop(),
      launching,
      this.#rotating,
      ...draining,
      this.instances.stopAll(),
    ]);
    await this.#teardown;
    await Promise.allSettled([...this.#retiring]);
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
    this.#oauth?.dispose();
    this.#oauth = null;
    this.#sink.close();
    for (const sink of this.#instanceSinks.values()) sink.close();
    this.removeAllListeners();
  }

  #begin(attempt: number): Promise<void> {
    const epoch = ++this.#epoch;
    const run = this.#launch(epoch, attempt);
    this.#launching = run;
    return run;
  }

  async #launch(epoch: number, attempt: number): Promise<void> {
    const launched = this.#now();
    this.#setState({ state: 'starting', since: launched, attempt });
    await Promise.all([this.#teardown, this.instances.sweep()]);
    if (epoch !== this.#epoch) return;
    const config = await this.#materialize(epoch);
    if (config === null) return;
    const abort = new AbortController();
    this.#abort = abort;
    let conn: Connection;
    try {
      conn = await this.#open(config, abort.signal, {
        isCurrent: () => epoch === this.#epoch,
        onSpawned: (tree, teardown) => this.#adopt(tree, teardown),
        onClose: () => this.#lost(epoch),
        // A plain start reaps both slots: nothing of ours may be running then.
        pidSlot: slotName(this.name, this.#slot),
        reapSlots: [slotName(this.name, 0), slotName(this.name, 1)],
      });
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
    this.#lastStartMs = this.#now() - launched;
    this.#logger.info('server is running', { pid: conn.tree?.pid ?? null, attempt, startMs: this.#lastStartMs });
    this.#setState({ state: 'running', since: this.#now(), pid: conn.tree?.pid ?? null });
    this.#watchHealth(epoch, conn);
  }

  /**
   * Spawns (or connects) and initializes one instance; the hooks decide whose it is. Pid files come in slots so
   * that instances running side by side each have one: the shared instance and its successor during a rotation
   * (`<name>`, `<name>.1`), and an isolated server's instances (`<name>.i<n>`). An instance's stderr goes to a
   * sink of its own, and a remote instance signs in with the shared instance's OAuth client.
   */
  async #open(
    config: ServerConfig,
    signal: AbortSignal,
    hooks: {
      isCurrent: () => boolean;
      onSpawned: (tree: ProcessTree, teardown: Promise<void>) => void;
      onClose: () => void;
      pidSlot: string;
      /** Pid files whose leftover groups are killed first. */
      reapSlots: readonly string[];
      instance?: { sink: LogSink; newClient: () => Client; newModernClient: () => Promise<ModernUpstreamClient> };
    },
  ): Promise<Connection> {
    const pending = new PendingRequests();
    const redact = this.#options.redact?.message;
    const inbound = (message: JSONRPCMessage): JSONRPCMessage => {
      pending.inbound(message);
      return redact === undefined ? message : redact(message);
    };
    if (config.transport === 'stdio') {
      const conn = await connectStdio({
        name: this.name,
        config,
        runDir: this.#options.runDir,
        sink: hooks.instance?.sink ?? this.#sink,
        logger: this.#logger,
        spawnEnv: (this.#options.spawnEnv ?? currentSpawnEnvInputs)(),
        defaultCwd: this.#options.defaultCwd ?? process.cwd(),
        newClient: hooks.instance?.newClient ?? (() => this.#newClient()),
        newModernClient: hooks.instance?.newModernClient ?? (() => this.#newModernClient()),
        now: this.#now,
        signal,
        isCurrent: hooks.isCurrent,
        onSpawned: hooks.onSpawned,
        onProtocolError: () => this.#counters.protocolErrors++,
        onClose: hooks.onClose,
        inbound,
        pidSlot: hooks.pidSlot,
        reapSlots: hooks.reapSlots,
      });
      pending.watch(conn.transport);
      return { ...conn, pending };
    }
    const authProvider = hooks.instance === undefined ? await this.#oauthProvider(config) : (this.#oauth ?? undefined);
    if (hooks.instance === undefined) this.#counters.spawns++;
    const { client, transport, mark } = await connectRemoteServer(config, {
      authProvider,
      newClient: hooks.instance?.newClient ?? (() => this.#newClient()),
      newModernClient: hooks.instance?.newModernClient ?? (() => this.#newModernClient()),
      server: this.name,
      timeoutMs: config.timeouts.startupMs,
      logger: this.#logger,
      onClose: hooks.onClose,
      signal,
      inbound,
      sink: hooks.instance?.sink ?? this.#sink,
      now: this.#now,
    });
    pending.watch(transport);
    return { client, transport, tree: null, mark, pending };
  }

  /**
   * A fresh OAuth client for each connection, loaded from the vault: a `server login` in another process may have
   * stored new tokens since the last one. The previous client is retired (its refresh timer stops).
   */
  async #oauthProvider(config: RemoteServerConfig): Promise<SwitchboardOAuthProvider | undefined> {
    const make = this.#options.oauth;
    if (make === undefined) return undefined;
    const provider = await make(this.name, config);
    this.#oauth?.dispose();
    this.#oauth = provider;
    return provider;
  }

  /**
   * Moves a serving server onto fresh credentials without failing a call: a second instance is started with the
   * config resolved anew; once it has initialized, new calls go to it, and the old one gets up to `drainMs` to
   * answer the calls it already has before it is stopped. A server that is not serving is simply (re)started.
   * When the new instance cannot start, the old one keeps serving and the reason is returned.
   */
  rotate(drainMs: number): Promise<string | null> {
    if (this.#rotating !== null) return this.#rotating;
    if (!isServing(this.#state) || this.#conn === null) {
      const down = this.#state.state === 'stopped' || this.#state.state === 'idle';
      return (down ? Promise.resolve() : this.restart()).then(() => null);
    }
    const run = this.#rotateNow(drainMs).finally(() => {
      if (this.#rotating === run) this.#rotating = null;
    });
    this.#rotating = run;
    return run;
  }

  async #rotateNow(drainMs: number): Promise<string | null> {
    const startEpoch = this.#epoch;
    const stillWanted = (): boolean => startEpoch === this.#epoch;
    const fail = (reason: string): string => {
      this.#logger.error('rotation failed; the running instance keeps its old credentials', { error: reason });
      return reason;
    };
    let resolved: ResolvedServer | null;
    try {
      resolved = this.#options.resolveSecrets ? await this.#options.resolveSecrets(this.#config) : null;
    } catch (error) {
      return fail(`secrets could not be read: ${messageOf(error)}`);
    }
    if (resolved !== null && !resolved.ok) return fail(resolved.message);
    if (!stillWanted()) return null;
    const config = resolved?.config ?? this.#config;
    const abort = new AbortController();
    this.#rotationAbort = abort;
    const nextSlot = this.#slot === 0 ? 1 : 0;
    let spawned: { tree: ProcessTree; teardown: Promise<void> } | null = null;
    let swappedEpoch: number | null = null;
    let next: Connection;
    try {
      next = await this.#open(config, abort.signal, {
        isCurrent: stillWanted,
        onSpawned: (tree, teardown) => {
          this.#counters.spawns++;
          spawned = { tree, teardown };
          this.#retiring.add(teardown);
          void teardown.finally(() => this.#retiring.delete(teardown));
        },
        onClose: () => {
          if (swappedEpoch !== null) this.#lost(swappedEpoch);
        },
        pidSlot: slotName(this.name, nextSlot),
        reapSlots: [slotName(this.name, nextSlot)],
      });
    } catch (error) {
      if (error instanceof ConnectCancelledError || !stillWanted()) return null;
      return fail(messageOf(error));
    } finally {
      if (this.#rotationAbort === abort) this.#rotationAbort = null;
    }
    const old = this.#conn;
    if (!stillWanted() || old === null || !isServing(this.#state)) {
      // Stopped, restarted or crashed meanwhile: whatever replaced the old instance stays; this one goes.
      void next.client.close().catch(() => {});
      return null;
    }
    // The swap, in one synchronous step: the old connection's callbacks now belong to a past epoch.
    this.#stopHealth();
    const epoch = ++this.#epoch;
    swappedEpoch = epoch;
    this.#conn = next;
    this.#slot = nextSlot;
    const oldTeardown = this.#teardown;
    this.#retiring.add(oldTeardown);
    void oldTeardown.finally(() => this.#retiring.delete(oldTeardown));
    const taken = spawned as { tree: ProcessTree; teardown: Promise<void> } | null;
    if (taken !== null) {
      this.#tree = taken.tree;
      this.#teardown = taken.teardown.finally(() => {
        if (this.#tree === taken.tree) this.#tree = null;
      });
    } else {
      this.#tree = null;
      this.#teardown = Promise.resolve();
    }
    this.#logger.info('rotated onto a new instance; draining the old one', {
      pid: next.tree?.pid ?? null,
      oldPid: old.tree?.pid ?? null,
      inFlight: old.pending.count,
    });
    this.#setState({ state: 'running', since: this.#now(), pid: next.tree?.pid ?? null });
    this.#watchHealth(epoch, next);
    this.#retiringConns.add(old);
    const retire = (async () => {
      const drained = await old.pending.idle(drainMs);
      if (!drained) {
        this.#logger.warn('old instance still had calls after the drain time; stopping it', {
          inFlight: old.pending.count,
          drainMs,
        });
      }
      await Promise.allSettled([old.client.close(), old.tree?.stop()]);
      this.#retiringConns.delete(old);
    })();
    this.#retiring.add(retire);
    void retire.finally(() => this.#retiring.delete(retire));
    return null;
  }

  #newClient(instance?: InstanceRef): Client {
    const client = new Client(
      { name: 'switchboard', version: this.#options.clientVersion ?? '0.1.0' },
      { capabilities: { ...CLIENT_CAPABILITIES } },
    );
    this.#hookClient(client, instance);
    return client;
  }

  /** The client of a server that speaks only 2026-07-28, given the same hooks as an SDK 1.x client. */
  async #newModernClient(instance?: InstanceRef): Promise<ModernUpstreamClient> {
    // Loaded by the first server that speaks only 2026-07-28: the SDK 2.x client is megabytes others never need.
    const modern = await import('./modern-upstream-client.ts');
    const client = new modern.ModernUpstreamClient(
      { name: 'switchboard', version: this.#options.clientVersion ?? '0.1.0' },
      { ...CLIENT_CAPABILITIES },
    );
    this.#hookClient(client, instance);
    return client;
  }

  #hookClient(client: UpstreamClient, instance: InstanceRef | undefined): void {
    try {
      if (instance === undefined) this.#options.onClient?.(client);
      else this.#options.onInstanceClient?.(client, instance);
    } catch (error) {
      this.#logger.error('onClient hook failed', { error: messageOf(error) });
    }
  }

  /**
   * Opens an instance of an isolated server for the pool: the config resolved anew (secrets as they are now), a
   * pid-file and log slot of its own, and the same spawn, process group, redaction and handshake as the shared
   * instance. Its end is described like a server's exit, from its own stderr.
   */
  async #openInstance(
    slot: number,
    ref: InstanceRef,
    signal: AbortSignal,
    hooks: InstanceHooks,
  ): Promise<InstanceConnection> {
    let config = this.#config;
    const resolve = this.#options.resolveSecrets;
    if (resolve !== undefined) {
      const resolved = await resolve(config);
      if (!resolved.ok) throw new Error(resolved.message);
      config = resolved.config;
    }
    signal.throwIfAborted();
    const file = instanceSlotName(this.name, slot);
    let sink = this.#instanceSinks.get(slot);
    if (sink === undefined) {
      sink = new LogSink({
        dir: this.#options.logDir,
        name: file,
        maxBytes: this.#options.log?.maxBytes,
        keep: this.#options.log?.keep,
        redact: this.#options.redact?.text,
      });
      this.#instanceSinks.set(slot, sink);
    }
    const own = sink;
    own.note(`instance for a ${ref.owner.kind} of its own (isolation "${config.isolation}")`);
    let tree: ProcessTree | null = null;
    let mark = own.mark;
    const conn = await this.#open(config, signal, {
      isCurrent: () => !signal.aborted,
      onSpawned: (spawned, teardown) => {
        tree = spawned;
        hooks.onSpawned(teardown);
      },
      onClose: () => {
        own.endLine();
        const status = (tree as ProcessTree | null)?.status ?? null;
        const ended = status === null ? 'closed the connection' : exitReason(status.code, status.signal);
        const tail = own.linesSince(mark, EXIT_TAIL_LINES);
        hooks.onClose(tail.length === 0 ? `it ${ended}` : `it ${ended}. Last stderr: ${tail.join(' | ')}`);
      },
      pidSlot: file,
      reapSlots: [file],
      instance: {
        sink: own,
        newClient: () => this.#newClient(ref),
        newModernClient: () => this.#newModernClient(ref),
      },
    });
    mark = conn.mark;
    return { client: conn.client, pid: conn.tree?.pid ?? null };
  }

  /** Kills the instances a crashed run of the gateway left running, found by their pid files. */
  async #sweepInstances(): Promise<void> {
    let files: string[];
    try {
      files = await readdir(this.#options.runDir);
    } catch {
      return; // No run directory yet: nothing was ever left in it.
    }
    const prefix = `${this.name}.i`;
    for (const file of files) {
      const slot = file.startsWith(prefix) ? /^(\d+)\.pid$/.exec(file.slice(prefix.length)) : null;
      if (slot === null) continue;
      const name = instanceSlotName(this.name, Number(slot[1]));
      await reapPredecessor(this.#options.runDir, name, this.#config.timeouts.stopGraceMs, this.#logger);
    }
  }

  /** Takes ownership of a spawned tree: counted, and the next start waits for its teardown. */
  #adopt(tree: ProcessTree, teardown: Promise<void>): void {
    this.#tree = tree;
    this.#counters.spawns++;
    this.#teardown = teardown.finally(() => {
      if (this.#tree === tree) this.#tree = null;
    });
  }

  /** The config with its secrets filled in, or null when the server is blocked or this start was superseded. */
  async #materialize(epoch: number): Promise<ServerConfig | null> {
    // Checked before any secret is read: a command nobody approved gets nothing, not even its credentials.
    const unapproved = this.#config.transport === 'stdio' ? approvalMissing(this.name, this.#config) : null;
    if (unapproved !== null) {
      this.#logger.warn('server is waiting for approval of its command', { error: unapproved });
      this.#setState({ state: 'blocked', reason: 'approval-required', message: unapproved, since: this.#now() });
      return null;
    }
    const resolve = this.#options.resolveSecrets;
    if (resolve === undefined) return this.#config;
    let resolved: ResolvedServer;
    try {
      resolved = await resolve(this.#config);
    } catch (error) {
      resolved = { ok: false, reason: 'keychain', message: `secrets could not be read: ${messageOf(error)}` };
    }
    if (epoch !== this.#epoch) return null;
    if (resolved.ok) return resolved.config;
    this.#logger.error('server is blocked', { reason: resolved.reason, error: resolved.message });
    this.#setState({ state: 'blocked', reason: resolved.reason, message: resolved.message, since: this.#now() });
    return null;
  }

  #startFailed(error: unknown, attempt: number): void {
    if (error instanceof LoginRequiredError) {
      // Retrying cannot help until a person signs in; `server login` restarts it afterwards.
      this.#logger.warn('server needs a login', { error: error.message });
      this.#setState({ state: 'blocked', reason: 'login-required', message: error.message, since: this.#now() });
      return;
    }
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
    const overflow = overflowOf(conn);
    const reason =
      closingReason ??
      overflow ??
      (conn.tree === null ? 'closed the connection' : exitReason(status?.code ?? null, status?.signal ?? null));
    const exit: ExitInfo = {
      code: status?.code ?? null,
      signal: status?.signal ?? null,
      stderrTail: this.#sink.linesSince(conn.mark, EXIT_TAIL_LINES),
      at: this.#now(),
      reason,
    };
    const clean =
      closingReason === null && overflow === null && status !== null && isCleanExit(status.code, status.signal);
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
