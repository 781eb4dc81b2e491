// The upstream instances of one isolated server: one per client session (`per-session`) or per client token
// (`per-client`), next to the server's shared instance, which keeps answering its catalogs (gateway notes 1 and 2).
// Each is a whole instance of the server, opened by ManagedServer like the shared one: a process in its own group
// with its own pid file, stderr log and secrets (stdio), or an HTTP session of its own (remote). It starts on its
// owner's first request and stops when the owner is done with it: its session ended (per-session), it went
// unused for `instances.idleMs` (per-client), or the server stopped. An instance that dies is forgotten; the
// owner's next request starts a new one. At most `instances.max` run at once; past that the owner is refused.
import type { UpstreamClient } from './upstream-client.ts';
import type { InstancesPolicy } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';

/** Whose instance: a client session (by the gateway's session id) or a client (by its token's name). */
export interface InstanceOwner {
  readonly kind: 'session' | 'client';
  readonly id: string;
}

/** An instance as the gateway tells it apart: requests waiting on it are keyed by `key`. */
export interface InstanceRef {
  readonly key: string;
  readonly owner: InstanceOwner;
}

export function instanceKey(owner: InstanceOwner): string {
  return `${owner.kind}:${owner.id}`;
}

/** What the pool needs of an opened instance. */
export interface InstanceConnection {
  readonly client: UpstreamClient;
  readonly pid: number | null;
}

export interface InstanceHooks {
  /** The instance's process was spawned; `teardown` resolves once its group is gone and its pid file removed. */
  readonly onSpawned: (teardown: Promise<void>) => void;
  /** The established connection closed by itself (the process exited, the remote went away), and why. */
  readonly onClose: (reason: string) => void;
}

export interface InstancePoolOptions {
  readonly server: string;
  readonly logger: Logger;
  /** The server's current instance settings (they change with its config). */
  readonly policy: () => { readonly instances: InstancesPolicy };
  /** Opens one instance in pid-file and log slot `slot`; rejects with a reason a person can read. */
  readonly open: (
    slot: number,
    ref: InstanceRef,
    signal: AbortSignal,
    hooks: InstanceHooks,
  ) => Promise<InstanceConnection>;
  /** Reaps the instances a crashed run left behind (their pid files); run once, before the first instance. */
  readonly sweep: () => Promise<void>;
}

export interface InstanceLease {
  readonly client: UpstreamClient;
  /** Why the instance ended, once it has (its process exited, or it was stopped); null while it serves. */
  ended(): string | null;
  /** Hands the instance back; call once, when the request is over. */
  release(): void;
}

/** No instance may be started: the server already runs as many as its config allows. */
export class InstanceLimitError extends Error {
  readonly max: number;
  constructor(server: string, max: number, per: InstanceOwner['kind']) {
    const free =
      per === 'session'
        ? 'End a session that uses it, or raise the limit.'
        : `Raise the limit, or try again once another client's instance has gone unused for servers.${server}.instances.idleMs.`;
    super(
      `server "${server}" cannot start an instance for this ${per}: it already runs ${max}, one per ${per}, ` +
        `the limit set by servers.${server}.instances.max. ${free}`,
    );
    this.name = 'InstanceLimitError';
    this.max = max;
  }
}

interface Instance {
  readonly ref: InstanceRef;
  readonly slot: number;
  readonly abort: AbortController;
  ready: Promise<InstanceConnection>;
  conn: InstanceConnection | null;
  leases: number;
  idle: NodeJS.Timeout | null;
  teardown: Promise<void>;
  /** Why it ended; set once, when it stops or dies. */
  ended: string | null;
  stopping: Promise<void> | null;
}

export class InstancePool {
  readonly #options: InstancePoolOptions;
  readonly #logger: Logger;
  /** Instances that serve or are starting, by owner key. */
  readonly #live = new Map<string, Instance>();
  /** Instances on their way out, by slot: their slot is taken until their process is gone. */
  readonly #stopping = new Map<number, Promise<void>>();
  #swept: Promise<void> | null = null;

  constructor(options: InstancePoolOptions) {
    this.#options = options;
    this.#logger = options.logger;
  }

  /** Instances serving or starting. */
  get size(): number {
    return this.#live.size;
  }

  /** Pids of the instances' processes (stdio servers), for status and tests. */
  get pids(): number[] {
    return [...this.#live.values()].flatMap((i) => (i.conn === null || i.conn.pid === null ? [] : [i.conn.pid]));
  }

  /** Reaps what a crashed run left, once; safe to call before any instance exists. */
  sweep(): Promise<void> {
    this.#swept ??= this.#options.sweep().catch((error: unknown) => {
      this.#logger.warn('could not reap instances left by a previous run', { error: (error as Error).message });
    });
    return this.#swept;
  }

  /**
   * The owner's instance, started when it has none. Rejects with InstanceLimitError when `instances.max` run
   * already (an instance still stopping is waited for: its slot is about to be free), or with the reason the
   * instance could not start.
   */
  async lease(owner: InstanceOwner, signal?: AbortSignal): Promise<InstanceLease> {
    await this.sweep();
    // A request already given up (its session closed) must not start an instance nobody would ever stop.
    signal?.throwIfAborted();
    const key = instanceKey(owner);
    let instance = this.#live.get(key);
    while (instance === undefined) {
      const { instances } = this.#options.policy();
      if (this.#live.size + this.#stopping.size < instances.max) {
        instance = this.#start({ key, owner });
        break;
      }
      if (this.#stopping.size === 0 || this.#live.size >= instances.max) {
        throw new InstanceLimitError(this.#options.server, instances.max, owner.kind);
      }
      await Promise.race(this.#stopping.values());
      signal?.throwIfAborted();
      instance = this.#live.get(key);
    }
    const held = instance;
    held.leases += 1;
    if (held.idle !== null) clearTimeout(held.idle);
    held.idle = null;
    let conn: InstanceConnection;
    try {
      conn = await untilAborted(held.ready, signal);
    } catch (error) {
      this.#release(held);
      throw error;
    }
    let released = false;
    return {
      client: conn.client,
      ended: () => held.ended,
      release: () => {
        if (released) return;
        released = true;
        this.#release(held);
      },
    };
  }

  /** Stops the owner's instance, if it has one (its session ended); resolves when its process is gone. */
  end(owner: InstanceOwner): Promise<void> {
    const instance = this.#live.get(instanceKey(owner));
    return instance === undefined ? Promise.resolve() : this.#stop(instance, `its ${owner.kind} ended`);
  }

  /** Stops every instance (the server stops); resolves when all their processes are gone. */
  async stopAll(): Promise<void> {
    const live = [...this.#live.values()];
    await Promise.allSettled([
      ...live.map((instance) => this.#stop(instance, 'the server stopped')),
      ...this.#stopping.values(),
    ]);
  }

  #start(ref: InstanceRef): Instance {
    const slot = this.#freeSlot();
    const instance: Instance = {
      ref,
      slot,
      abort: new AbortController(),
      ready: Promise.resolve(null as never),
      conn: null,
      leases: 0,
      idle: null,
      teardown: Promise.resolve(),
      ended: null,
      stopping: null,
    };
    this.#live.set(ref.key, instance);
    const fields = { instance: slot, owner: ref.owner.kind };
    instance.ready = this.#options
      .open(slot, ref, instance.abort.signal, {
        onSpawned: (teardown) => (instance.teardown = teardown),
        onClose: (reason) => {
          if (instance.ended !== null) return;
          this.#logger.warn('an instance ended', { ...fields, reason });
          void this.#stop(instance, reason);
        },
      })
      .then(
        (conn) => {
          instance.conn = conn;
          this.#logger.info('instance is running', { ...fields, pid: conn.pid });
          if (instance.leases === 0) this.#release(instance, 0);
          return conn;
        },
        (error: unknown) => {
          const reason = (error as Error).message;
          if (instance.ended === null) this.#logger.warn('an instance could not start', { ...fields, error: reason });
          void this.#stop(instance, `it could not start: ${reason}`);
          throw error;
        },
      );
    // A start nobody waits for any more (its owner went away) must not become an unhandled rejection.
    instance.ready.catch(() => {});
    return instance;
  }

  /** The lowest slot neither in use nor still stopping: slot numbers, and so pid and log files, stay few. */
  #freeSlot(): number {
    const taken = new Set([...this.#live.values()].map((i) => i.slot).concat([...this.#stopping.keys()]));
    let slot = 0;
    while (taken.has(slot)) slot += 1;
    return slot;
  }

  #release(instance: Instance, by = 1): void {
    instance.leases -= by;
    if (instance.leases > 0 || instance.ended !== null || instance.ref.owner.kind !== 'client') return;
    // A client's instance outlives its requests for a while: the client is likely to come back.
    const { idleMs } = this.#options.policy().instances;
    instance.idle = setTimeout(() => void this.#stop(instance, `unused for ${idleMs} ms`), idleMs);
    instance.idle.unref();
  }

  #stop(instance: Instance, reason: string): Promise<void> {
    if (instance.stopping !== null) return instance.stopping;
    instance.ended = reason;
    if (instance.idle !== null) clearTimeout(instance.idle);
    instance.idle = null;
    if (this.#live.get(instance.ref.key) === instance) this.#live.delete(instance.ref.key);
    instance.abort.abort();
    const stopping = (async () => {
      const conn = await instance.ready.catch(() => null);
      // Closing the client stops the process tree (stdin, SIGTERM, SIGKILL to its group) or ends the HTTP session.
      await conn?.client.close().catch(() => {});
      await instance.teardown;
      this.#logger.info('instance stopped', { instance: instance.slot, owner: instance.ref.owner.kind, reason });
    })();
    instance.stopping = stopping;
    this.#stopping.set(instance.slot, stopping);
    void stopping.finally(() => this.#stopping.delete(instance.slot));
    return stopping;
  }
}

/** `promise`, or the signal's reason once it aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  signal.throwIfAborted();
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
