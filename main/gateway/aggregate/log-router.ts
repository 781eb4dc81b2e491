// Server log messages (`notifications/message`) and log levels, for many sessions sharing one upstream.
//
// Levels: each session's logging/setLevel is its own filter; each server is asked (logging/setLevel upstream) for
// the most verbose level any session that sees it has asked for, again whenever that changes and whenever the
// server comes up. When the last session that asked goes away, the server is set back to "debug", the level that
// stands for "everything", which is what MCP servers send before anyone sets a level. A session that never sets a
// level receives whatever the server sends.
//
// Delivery: nothing on a stdio connection says which request a log message belongs to, so the router decides by
// who is waiting on that server when it arrives (in-flight.ts). Nobody waiting: the message is about the server,
// and every session that sees the server receives it. Requests of one session only: the message can be nobody
// else's, and it goes to that session alone (on the request's own stream when there is one request). Requests of
// several sessions: it could be any of theirs, and sending it to all would show one client another's data
// (gateway notes 10), so it is withheld and counted. A message from an isolated server's instance is its owner's
// alone: the same rules apply among the requests waiting on that instance and the owner's sessions, and nobody
// else ever receives it.
//
// Rate: each server connection's messages pass at most LOG_MESSAGES_PER_SECOND a second (notification-rate.ts);
// a flood past it is dropped and counted before anything else is done with it (T84).
import {
  LoggingLevelSchema,
  type LoggingLevel,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../log/logger.ts';
import type { InstanceOwner, InstanceRef } from '../../supervisor/instance-pool.ts';
import { isServing } from '../../supervisor/server-state.ts';
import type { UpstreamClient } from '../../supervisor/upstream-client.ts';
import type { InFlightRequests } from './in-flight.ts';
import { LogRate } from './notification-rate.ts';
import type { SessionPeer, SessionRegistry } from './session-registry.ts';
import type { UpstreamDirectory } from './upstream-directory.ts';

type LogParams = LoggingMessageNotification['params'];

const SEVERITY = new Map<string, number>(LoggingLevelSchema.options.map((level, index) => [level, index]));
/** The most verbose level: "send everything". */
const EVERYTHING: LoggingLevel = 'debug';
/** How long a client's logging/setLevel waits for the servers to take the new level before it is answered. */
const SET_LEVEL_WAIT_MS = 2_000;

export class LogRouter {
  readonly #directory: UpstreamDirectory;
  readonly #sessions: SessionRegistry;
  readonly #inFlight: InFlightRequests;
  readonly #logger: Logger;
  /** The level last asked of each upstream connection. */
  readonly #applied = new WeakMap<UpstreamClient, LoggingLevel>();
  /** Messages not delivered because several sessions were waiting on the server (see the file comment). */
  withheld = 0;
  /** The log rate per server connection, and the messages it dropped. */
  readonly rate: LogRate;

  constructor(
    directory: UpstreamDirectory,
    sessions: SessionRegistry,
    inFlight: InFlightRequests,
    logger: Logger,
    rate = new LogRate(),
  ) {
    this.rate = rate;
    this.#directory = directory;
    this.#sessions = sessions;
    this.#inFlight = inFlight;
    this.#logger = logger;
    directory.on('logMessage', (server, params, instance) => this.#deliver(server, params, instance));
    directory.on('state', (server, state) => {
      if (isServing(state)) void this.#sync(server);
    });
  }

  /** A session's logging/setLevel: its own filter from now on, and the servers it sees told what is needed. */
  async setLevel(peer: SessionPeer, level: LoggingLevel): Promise<void> {
    peer.level = level;
    await this.#syncSeenBy(peer);
  }

  /** After a session has closed: servers it had asked for a more verbose level may be set back. */
  sessionClosed(peer: SessionPeer): void {
    if (peer.level !== null) void this.#syncSeenBy(peer);
  }

  async #syncSeenBy(peer: SessionPeer): Promise<void> {
    const servers = peer.scope === null ? this.#directory.list().map((u) => u.name) : [peer.scope];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(servers.map((server) => this.#sync(server))),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, SET_LEVEL_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }

  async #sync(server: string): Promise<void> {
    const upstream = this.#directory.get(server);
    const client = upstream?.client;
    if (!upstream || !client || client.getServerCapabilities()?.logging === undefined) return;
    const asked = this.#sessions
      .seeing(server)
      .map((peer) => peer.level)
      .filter((level): level is LoggingLevel => level !== null);
    const applied = this.#applied.get(client);
    // Never asked anything of this connection and nobody asks now: the server keeps its own default.
    if (asked.length === 0 && applied === undefined) return;
    const wanted = asked.length === 0 ? EVERYTHING : mostVerbose(asked);
    if (wanted === applied) return;
    this.#applied.set(client, wanted);
    try {
      await client.setLoggingLevel(wanted, { timeout: upstream.timeouts.callMs });
    } catch (error) {
      if (this.#applied.get(client) === wanted) this.#applied.delete(client);
      this.#logger.warn('could not set the log level of a server', {
        server,
        level: wanted,
        error: (error as Error).message,
      });
    }
  }

  #deliver(server: string, params: LogParams, instance?: InstanceRef): void {
    if (!this.rate.admit(server, instance?.key ?? null)) return;
    const waiting = this.#inFlight.waitingOn(server, instance?.key ?? null);
    const sessions = new Set(waiting.map((request) => request.session));
    if (sessions.size > 1) {
      this.withheld += 1;
      this.#logger.debug('a server log message could belong to any of several sessions; withheld', {
        server,
        level: params.level,
        sessions: sessions.size,
        withheld: this.withheld,
      });
      return;
    }
    if (sessions.size === 1) {
      const peer = this.#sessions.get([...sessions][0]!);
      if (peer === undefined || !admits(peer, params.level)) return;
      if (instance !== undefined && !owns(instance.owner, peer)) return;
      const message = { method: 'notifications/message' as const, params: named(peer, server, params) };
      const own = waiting.length === 1 ? waiting[0]!.notify : (n: typeof message) => peer.notify(n);
      void own(message).catch(() => {});
      return;
    }
    for (const peer of this.#sessions.seeing(server)) {
      if (!admits(peer, params.level) || (instance !== undefined && !owns(instance.owner, peer))) continue;
      void peer.notify({ method: 'notifications/message', params: named(peer, server, params) }).catch(() => {});
    }
  }
}

/** Whether a session may see what an instance owned by `owner` sends. */
function owns(owner: InstanceOwner, peer: SessionPeer): boolean {
  return owner.kind === 'session' ? peer.id === owner.id : peer.client === owner.id;
}

function mostVerbose(levels: readonly LoggingLevel[]): LoggingLevel {
  return levels.reduce((a, b) => (severity(b) < severity(a) ? b : a));
}

function severity(level: string): number {
  return SEVERITY.get(level) ?? SEVERITY.size;
}

function admits(peer: SessionPeer, level: string): boolean {
  return peer.level === null || severity(level) >= severity(peer.level);
}

/** On `/mcp` the message says which server sent it: its logger becomes `<server>` or `<server>/<logger>`. */
function named(peer: SessionPeer, server: string, params: LogParams): LogParams {
  if (peer.scope !== null) return params;
  return { ...params, logger: params.logger === undefined ? server : `${server}/${params.logger}` };
}
