// Stops on-demand servers nobody is using. A server is idle `idleStopAfter` ms after the last moment something held
// it, and something holds it while it has a request in flight (a call, a read, a prompt, a subscribe; a 2026-07-28
// call parked on its client's input is still in flight), a resource subscription a session wants, an open stream
// of a session of its own endpoint (`/mcp/<server>`: that session is served by this server alone), or an instance
// of an isolated server (per-session or per-client upstream state). A stream of `/mcp` does not hold every server
// behind it: IDE clients keep that stream open all day, and nothing they would miss on it comes from a server no
// request of theirs is waiting on. Stopping goes through ManagedServer.idleStop (state `idle`); the next request
// starts the server again (upstream-request.ts whenServing).
import type { Logger } from '../log/logger.ts';
import { isServing } from '../supervisor/server-state.ts';
import type { Supervisor } from '../supervisor/supervisor.ts';

/** What keeps a server up, counted now. */
export interface IdleHolds {
  /** Requests of clients waiting on it. */
  readonly inFlight: number;
  /** Resource subscriptions on it that sessions want. */
  readonly subscriptions: number;
  /** Open streams (GET or a response still being written) of sessions of its own endpoint. */
  readonly streams: number;
  /** Per-client or per-session instances running or starting. */
  readonly instances: number;
}

/** Why the server must stay up, in words for the log, or null when nothing holds it. */
export function idleHolder(holds: IdleHolds): string | null {
  const reasons: string[] = [];
  if (holds.inFlight > 0) reasons.push(`${holds.inFlight} request(s) in flight`);
  if (holds.subscriptions > 0) reasons.push(`${holds.subscriptions} resource subscription(s)`);
  if (holds.streams > 0) reasons.push(`${holds.streams} open stream(s) of its own endpoint`);
  if (holds.instances > 0) reasons.push(`${holds.instances} instance(s) of its own for clients or sessions`);
  return reasons.length === 0 ? null : reasons.join(', ');
}

export type IdleVerdict =
  | { readonly stop: true }
  /** Look again at `recheckAt`; `held` when something holds it now (which counts as use). */
  | { readonly stop: false; readonly recheckAt: number; readonly held: string | null };

/** Whether a server last used at `lastActiveAt` stops now. Pure: the clock and the holds are given. */
export function idleVerdict(input: {
  readonly holds: IdleHolds;
  readonly lastActiveAt: number;
  readonly now: number;
  readonly idleStopAfter: number;
}): IdleVerdict {
  const held = idleHolder(input.holds);
  if (held !== null) return { stop: false, recheckAt: input.now + input.idleStopAfter, held };
  const due = input.lastActiveAt + input.idleStopAfter;
  return input.now >= due ? { stop: true } : { stop: false, recheckAt: due, held: null };
}

export interface IdleStopperOptions {
  readonly supervisor: Supervisor;
  readonly holds: (server: string) => IdleHolds;
  readonly logger: Logger;
  readonly now?: () => number;
}

export class IdleStopper {
  readonly #supervisor: Supervisor;
  readonly #holds: (server: string) => IdleHolds;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #lastActive = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #disposed = false;

  constructor(options: IdleStopperOptions) {
    this.#supervisor = options.supervisor;
    this.#holds = options.holds;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#supervisor.on('state', (name, state) => {
      // A start is a use: the idle time counts from when it came up. Any other state has no process to stop.
      if (isServing(state)) {
        if (!this.#timers.has(name)) this.touch(name);
      } else this.#clear(name);
    });
  }

  /** The server was used now (a request began or ended): its idle time starts again. */
  touch(server: string): void {
    if (this.#disposed) return;
    const managed = this.#supervisor.get(server);
    if (managed === undefined || managed.config.start !== 'on-demand' || !isServing(managed.state)) return;
    const now = this.#now();
    this.#lastActive.set(server, now);
    this.#arm(server, now + managed.config.idleStopAfter);
  }

  #arm(server: string, at: number): void {
    clearTimeout(this.#timers.get(server));
    const timer = setTimeout(() => this.#check(server), Math.max(0, at - this.#now()));
    timer.unref();
    this.#timers.set(server, timer);
  }

  #check(server: string): void {
    this.#timers.delete(server);
    const managed = this.#supervisor.get(server);
    if (this.#disposed || managed === undefined) return;
    if (managed.config.start !== 'on-demand' || !isServing(managed.state)) return;
    const now = this.#now();
    const verdict = idleVerdict({
      holds: this.#holds(server),
      lastActiveAt: this.#lastActive.get(server) ?? now,
      now,
      idleStopAfter: managed.config.idleStopAfter,
    });
    if (verdict.stop) {
      this.#lastActive.delete(server);
      // Synchronous with the check: a request arriving from here on finds the server idle and starts it again.
      void managed.idleStop().catch((error: unknown) => {
        this.#logger.warn('idle stop failed', { server, error: (error as Error).message });
      });
      return;
    }
    if (verdict.held !== null) {
      this.#lastActive.set(server, now);
      this.#logger.debug('idle time over, but the server is held', { server, held: verdict.held });
    }
    this.#arm(server, verdict.recheckAt);
  }

  #clear(server: string): void {
    clearTimeout(this.#timers.get(server));
    this.#timers.delete(server);
  }

  dispose(): void {
    this.#disposed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
