// The supervisor: every configured server as a ManagedServer, reconciled against the config as it changes.
// It owns no global state; clocks, randomness, directories and the logger are injected, so that tests and the
// composition root build it the same way.
import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import type { UpstreamClient } from './upstream-client.ts';
import type { ServerConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import type { InstanceRef } from './instance-pool.ts';
import { ManagedServer, type ManagedServerOptions, type ServerLogOptions } from './managed-server.ts';
import type { ServerState } from './server-state.ts';
import type { SpawnEnvInputs } from './spawn-env.ts';

export interface SupervisorOptions {
  /** Each server's stderr goes to `<logDir>/<name>.log`. */
  readonly logDir: string;
  /** Pid files of running servers, to reap what a crashed gateway left behind. */
  readonly runDir: string;
  readonly logger: Logger;
  /** Called with each new upstream Client before it connects. */
  readonly onClient?: (serverName: string, client: UpstreamClient) => void;
  /** The same for the client of an isolated server's instance, with whose instance it is. */
  readonly onInstanceClient?: (serverName: string, client: UpstreamClient, instance: InstanceRef) => void;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly spawnEnv?: () => SpawnEnvInputs;
  /** The cwd of servers that configure none. */
  readonly defaultCwd?: string;
  /** Rotation of the per-server logs (default 5 MiB, 3 rotated files). */
  readonly log?: ServerLogOptions;
  /** Fills each server's `${secret:NAME}` references at spawn or connect time. */
  readonly resolveSecrets?: ManagedServerOptions['resolveSecrets'];
  readonly redact?: ManagedServerOptions['redact'];
  readonly oauth?: ManagedServerOptions['oauth'];
  readonly clientVersion?: string;
}

export class UnknownServerError extends Error {
  readonly server: string;
  constructor(server: string, known: readonly string[]) {
    super(`no server named "${server}"; configured: ${known.length === 0 ? 'none' : known.join(', ')}`);
    this.name = 'UnknownServerError';
    this.server = server;
  }
}

export class Supervisor extends EventEmitter<{
  state: [name: string, state: ServerState];
  /** A line of a server's stderr, redacted, as its log tail keeps it; emitted only while someone listens. */
  log: [name: string, line: string];
}> {
  readonly #options: SupervisorOptions;
  readonly #servers = new Map<string, ManagedServer>();
  #applying: Promise<void> = Promise.resolve();
  #shutDown = false;

  constructor(options: SupervisorOptions) {
    super();
    this.#options = options;
  }

  /**
   * Brings the running set in line with `servers`: starts added and enabled ones (on-demand ones are left idle), stops removed and disabled
   * ones, restarts changed ones, leaves unchanged ones alone. Resolves once every stop has finished and every
   * start has been launched (not when the servers are running: watch 'state' for that). Calls are serialized.
   * Never rejects; after shutdown it does nothing.
   */
  apply(servers: Readonly<Record<string, ServerConfig>>): Promise<void> {
    const run = this.#applying.then(() => this.#reconcile(servers));
    this.#applying = run.catch(() => {});
    return run;
  }

  get(name: string): ManagedServer | undefined {
    return this.#servers.get(name);
  }

  /** Every configured server, enabled or not, by name. */
  list(): ManagedServer[] {
    return [...this.#servers.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Starts a server by hand (also a disabled one); resolves when the attempt has settled. */
  start(name: string): Promise<void> {
    return this.#require(name).start();
  }

  stop(name: string): Promise<void> {
    return this.#require(name).stop();
  }

  /** Restarts by hand: the crash history and backoff are cleared. */
  restart(name: string): Promise<void> {
    return this.#require(name).restart();
  }

  /** Stops every server in parallel and waits until all their processes are gone. */
  async shutdown(): Promise<void> {
    this.#shutDown = true;
    await this.#applying;
    const servers = [...this.#servers.values()];
    this.#servers.clear();
    await Promise.allSettled(servers.map((server) => server.dispose()));
  }

  async #reconcile(servers: Readonly<Record<string, ServerConfig>>): Promise<void> {
    if (this.#shutDown) {
      this.#options.logger.warn('config applied after shutdown; ignored');
      return;
    }
    const logger = this.#options.logger;
    const stops: Promise<void>[] = [];
    const toStart: ManagedServer[] = [];
    for (const [name, server] of this.#servers) {
      if (Object.hasOwn(servers, name)) continue;
      logger.info('server removed from the config; stopping it', { server: name });
      this.#servers.delete(name);
      stops.push(server.dispose());
    }
    for (const [name, config] of Object.entries(servers)) {
      const existing = this.#servers.get(name);
      if (existing === undefined) {
        const server = this.#create(name, config);
        if (config.enabled) toStart.push(server);
        continue;
      }
      if (isDeepStrictEqual(existing.config, config)) continue;
      logger.info('server config changed', { server: name, enabled: config.enabled });
      stops.push(
        existing.reconfigure(config).then(() => {
          if (config.enabled) toStart.push(existing);
        }),
      );
    }
    await Promise.allSettled(stops);
    if (this.#shutDown) return;
    // An on-demand server waits in `idle` for the first request that needs it (or a start by hand).
    for (const server of toStart) {
      if (server.config.start === 'on-demand') server.park();
      else void server.start();
    }
  }

  #create(name: string, config: ServerConfig): ManagedServer {
    const o = this.#options;
    const onClient = o.onClient;
    const onInstanceClient = o.onInstanceClient;
    const server = new ManagedServer({
      name,
      config,
      logDir: o.logDir,
      runDir: o.runDir,
      logger: o.logger,
      onClient: onClient === undefined ? undefined : (client: UpstreamClient) => onClient(name, client),
      onInstanceClient:
        onInstanceClient === undefined
          ? undefined
          : (client: UpstreamClient, instance: InstanceRef) => onInstanceClient(name, client, instance),
      now: o.now,
      random: o.random,
      spawnEnv: o.spawnEnv,
      defaultCwd: o.defaultCwd,
      log: o.log,
      clientVersion: o.clientVersion,
      resolveSecrets: o.resolveSecrets,
      redact: o.redact,
      oauth: o.oauth,
    });
    server.on('state', (state) => this.emit('state', name, state));
    server.on('log', (line) => {
      if (this.listenerCount('log') > 0) this.emit('log', name, line);
    });
    this.#servers.set(name, server);
    return server;
  }

  #require(name: string): ManagedServer {
    const server = this.#servers.get(name);
    if (server === undefined) throw new UnknownServerError(name, [...this.#servers.keys()].sort());
    return server;
  }
}
