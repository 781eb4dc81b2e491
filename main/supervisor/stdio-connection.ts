// Starting a stdio server: reap a predecessor, build its environment, find its command, spawn its process tree,
// record the pid file, and connect a Client over the child's pipes within the startup limit. A failed start is
// described as an exit: the process's own code and signal when it ended by itself, "stdout is not JSON-RPC" when
// all it printed was something else (T38), the limit when it stayed silent.
import { resolve as resolvePath } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { StdioServerConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import { ChildStdioTransport } from './child-stdio-transport.ts';
import type { ModernUpstreamClient } from './modern-upstream-client.ts';
import { MODERN_VERSION } from './modern-version.ts';
import {
  ConnectCancelledError,
  connectWithin,
  SpawnError,
  StartFailure,
  StartupTimeoutError,
  type ConnectWithinOptions,
} from './connect.ts';
import { EXIT_TAIL_LINES, exitReason, isCleanExit, stdoutNotJsonRpcReason } from './exit-info.ts';
import type { LogSink } from './log-sink.ts';
import { pidRecordFor, reapPredecessor, removePidFile, writePidFile } from './pid-file.ts';
import { spawnTree, type ProcessTree } from './process-tree.ts';
import type { ExitInfo } from './server-state.ts';
import { buildChildEnv, isExecutableFile, resolveCommand, type SpawnEnvInputs } from './spawn-env.ts';

export interface StdioConnectOptions {
  readonly name: string;
  readonly config: StdioServerConfig;
  readonly runDir: string;
  readonly sink: LogSink;
  readonly logger: Logger;
  readonly spawnEnv: SpawnEnvInputs;
  /** The cwd when none is configured, and the base of a relative one. */
  readonly defaultCwd: string;
  readonly newClient: () => Client;
  /** The client of a server whose `protocol` is `2026-07-28`, spoken to over the same pipes. */
  readonly newModernClient?: (() => Promise<ModernUpstreamClient>) | undefined;
  readonly now: () => number;
  readonly signal: AbortSignal;
  /** Whether this start is still wanted; asked after every wait. */
  readonly isCurrent: () => boolean;
  /** Called with each spawned tree and its teardown (group gone, pid file removed) before anything can fail. */
  readonly onSpawned: (tree: ProcessTree, teardown: Promise<void>) => void;
  readonly onProtocolError: () => void;
  /** Called once when the established connection closes. */
  readonly onClose: () => void;
  /** Rewrites every message from the server before the client sees it. */
  readonly inbound?: ((message: JSONRPCMessage) => JSONRPCMessage) | undefined;
  /** The pid file's name (default: the server's name); a rotation's second instance has a slot of its own. */
  readonly pidSlot?: string;
  /** Pid files whose groups are left over from a crashed run and are killed before the spawn (default: pidSlot). */
  readonly reapSlots?: readonly string[];
}

export interface StdioConnection {
  readonly client: Client | ModernUpstreamClient;
  readonly transport: ChildStdioTransport;
  readonly tree: ProcessTree;
  /** The stderr mark at spawn: an exit quotes only this process's lines. */
  readonly mark: number;
}

/** How long a failed start waits for the process's own exit before describing it without one. */
const CLOSE_WAIT_MS = 1_000;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `initialize` was refused with -32022 naming 2026-07-28: the server speaks only that revision. */
class ModernOnlyRefusal extends Error {}

/**
 * Whether a failed `initialize` over stdio is the refusal of a server that speaks only 2026-07-28: -32022 with
 * that revision among `data.supported` (over stdio there is no HTTP status; the error is the JSON-RPC one).
 */
export function isModernOnlyStdioRefusal(error: unknown): boolean {
  if (!(error instanceof McpError) || error.code !== -32022) return false;
  const supported = (error.data as { supported?: unknown } | undefined)?.supported;
  return Array.isArray(supported) && supported.includes(MODERN_VERSION);
}

/**
 * Spawns and connects in the era the `protocol` setting names. With `auto` a server that refuses `initialize` for
 * 2026-07-28 is stopped (its process gone, its pid file removed) and spawned again, spoken to in that era: a stdio
 * server has no other way to be asked again, since its process ends with the refused connection.
 */
export async function connectStdio(o: StdioConnectOptions): Promise<StdioConnection> {
  const startedAt = Date.now();
  try {
    return await connectStdioOnce(o, o.config.protocol === MODERN_VERSION, startedAt);
  } catch (error) {
    if (!(error instanceof ModernOnlyRefusal)) throw error;
    o.logger.info('server speaks only 2026-07-28; starting it again in that era', { command: o.config.command });
    o.sink.note(`refused initialize for ${MODERN_VERSION}; starting again in that era`);
    return connectStdioOnce(o, true, startedAt);
  }
}

async function connectStdioOnce(o: StdioConnectOptions, modern: boolean, startedAt: number): Promise<StdioConnection> {
  const { config, logger, sink } = o;
  const graceMs = config.timeouts.stopGraceMs;
  for (const slot of o.reapSlots ?? [o.pidSlot ?? o.name]) await reapPredecessor(o.runDir, slot, graceMs, logger);
  if (!o.isCurrent()) throw new ConnectCancelledError();

  const env = buildChildEnv(config.env, o.spawnEnv);
  const cwd = resolvePath(o.defaultCwd, config.cwd ?? '.');
  let tree: ProcessTree;
  try {
    const command = resolveCommand(config.command, {
      platform: o.spawnEnv.platform,
      env,
      cwd,
      isExecutable: isExecutableFile,
    });
    tree = await spawnTree({ command, args: config.args, env, cwd, graceMs, logger, platform: o.spawnEnv.platform });
  } catch (error) {
    throw new SpawnError(messageOf(error));
  }
  sink.endLine();
  const mark = sink.mark;
  const teardown = record(tree, o);
  o.onSpawned(tree, teardown);

  const transport = new ChildStdioTransport({
    tree,
    stderrSink: sink,
    logger,
    onProtocolError: o.onProtocolError,
    maxMessageBytes: config.maxMessageBytes,
  });
  try {
    if (!o.isCurrent()) throw new ConnectCancelledError();
    const common = {
      transport,
      timeoutMs: Math.max(1, config.timeouts.startupMs - (Date.now() - startedAt)),
      limitMs: config.timeouts.startupMs,
      onClose: o.onClose,
      signal: o.signal,
      inbound: o.inbound,
    };
    const { client } = modern
      ? await connectModern(o, common)
      : await connectWithin({ ...common, client: o.newClient() });
    return { client, transport, tree, mark };
  } catch (error) {
    // Whatever went wrong, nothing of a failed start may keep running (idempotent when already stopping).
    void tree.stop();
    if (error instanceof ConnectCancelledError) throw error;
    if (isModernOnlyStdioRefusal(error)) {
      if (config.protocol === '2025-11-25') {
        throw new SpawnError(
          `the server speaks only ${MODERN_VERSION} and its "protocol" is "2025-11-25"; set it to "auto" or "${MODERN_VERSION}"`,
        );
      }
      // Nothing of the refused process may outlive it: the next one starts only once it is gone.
      await teardown;
      if (!o.isCurrent()) throw new ConnectCancelledError();
      throw new ModernOnlyRefusal();
    }
    // A server that died first fails the write of `initialize` (EPIPE) before its exit is seen: wait for the exit
    // and the rest of its output, so the failure names its exit code and what it printed.
    if (!(error instanceof StartupTimeoutError)) {
      await Promise.race([tree.closed, sleep(graceMs + CLOSE_WAIT_MS)]);
    }
    throw describeFailure(error, tree, transport, sink, mark, o.now());
  }
}

/**
 * A server that speaks only 2026-07-28, over the same pipes and process handling: `server/discover`, then the listen
 * stream for list changes, both within the startup limit. Errors of that stream go where the server's stderr goes.
 */
async function connectModern(
  o: StdioConnectOptions,
  common: Omit<ConnectWithinOptions<ChildStdioTransport, ModernUpstreamClient>, 'client'>,
): Promise<{ client: ModernUpstreamClient }> {
  if (o.newModernClient === undefined) throw new SpawnError('2026-07-28 is not offered here');
  const note = (error: Error): void =>
    o.sink.write(Buffer.from(`[${new Date().toISOString()}] ${error.message.replace(/\s+/g, ' ')}\n`));
  return connectWithin({
    ...common,
    client: await o.newModernClient(),
    handshake: 'server/discover',
    ready: (client) => client.listenForChanges(common.timeoutMs, note),
  });
}

/** Notes the process in the log and the pid file; resolves when it is gone and its pid file removed. */
function record(tree: ProcessTree, o: StdioConnectOptions): Promise<void> {
  const { config, sink, logger } = o;
  sink.note(`started pid ${tree.pid}: ${[config.command, ...config.args].join(' ')}`);
  try {
    writePidFile(o.runDir, o.pidSlot ?? o.name, pidRecordFor(tree.pid, config.command));
  } catch (error) {
    logger.warn('could not write the pid file', { error: messageOf(error) });
  }
  return tree.done
    .then((status) => {
      sink.note(`pid ${tree.pid} ${exitReason(status.code, status.signal)}`);
      removePidFile(o.runDir, o.pidSlot ?? o.name, tree.pid);
    })
    .catch((error: unknown) => logger.warn('process teardown failed', { error: messageOf(error) }));
}

function describeFailure(
  error: unknown,
  tree: ProcessTree,
  transport: ChildStdioTransport,
  sink: LogSink,
  mark: number,
  now: number,
): StartFailure {
  sink.endLine();
  const status = tree.status;
  const notJsonRpc = transport.messagesReceived === 0 ? transport.firstBadLine : null;
  let reason: string;
  if (notJsonRpc !== null) reason = stdoutNotJsonRpcReason(notJsonRpc);
  else if (error instanceof StartupTimeoutError) reason = error.message;
  else if (status !== null) reason = exitReason(status.code, status.signal);
  else reason = `failed to initialize: ${messageOf(error)}`;
  const exit: ExitInfo = {
    code: status?.code ?? null,
    signal: status?.signal ?? null,
    stderrTail: sink.linesSince(mark, EXIT_TAIL_LINES),
    at: now,
    reason,
  };
  return new StartFailure(exit, status !== null && notJsonRpc === null && isCleanExit(status.code, status.signal));
}
