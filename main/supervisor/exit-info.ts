// How a server's end is described to people: one-line reasons, and the message a caller gets when the server
// cannot serve it. A dead server answers at once with what is wrong and when the next retry is (gateway-notes §4,
// security test T37); these functions are pure so every wording is tested without a process.
import type { ServerConfig } from '../config/schema.ts';
import { assertNever, type ExitInfo, type ServerState } from './server-state.ts';

/** Stderr lines quoted in a caller's error. */
export const QUOTED_STDERR_LINES = 5;
/** Stderr lines kept with each exit. */
export const EXIT_TAIL_LINES = 20;

/** "exited with code 1" or "was killed by SIGKILL": reads after "it". */
export function exitReason(code: number | null, signal: string | null): string {
  if (signal !== null) return `was killed by ${signal}`;
  if (code !== null) return `exited with code ${code}`;
  return 'exited';
}

export function isCleanExit(code: number | null, signal: string | null): boolean {
  return code === 0 && signal === null;
}

export function stdoutNotJsonRpcReason(firstLine: string): string {
  return `failed to start: stdout is not JSON-RPC; its first line was ${JSON.stringify(firstLine)}`;
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(1);
}

function quoteTail(lastExit: ExitInfo | null, label: string): string {
  const lines = lastExit?.stderrTail.slice(-QUOTED_STDERR_LINES) ?? [];
  return lines.length === 0 ? '' : ` ${label}: ${lines.join(' | ')}`;
}

export interface UnavailableContext {
  readonly name: string;
  readonly config: ServerConfig;
  readonly state: ServerState;
  /** The last exit, also outside the states that carry one (e.g. while starting again). */
  readonly lastExit: ExitInfo | null;
  readonly now: number;
}

/** What a caller is told when the server cannot take a call (asked while it can, it says so). */
export function unavailableMessage(context: UnavailableContext): string {
  const { name, config, state, lastExit, now } = context;
  const server = `server "${name}"`;
  const label = config.transport === 'stdio' ? 'Last stderr' : 'Last error';
  switch (state.state) {
    case 'running':
      return `${server} is running.`;
    case 'degraded':
      return `${server} is not answering pings (${state.failedPings} failed; last: ${state.lastError}).`;
    case 'stopped':
      return `${server} is stopped; start it to use its tools.`;
    case 'idle':
      return `${server} is idle (stopped, starts on use).`;
    case 'starting': {
      const before = lastExit === null ? '' : ` Last time it ${lastExit.reason}.`;
      return `${server} is starting (attempt ${state.attempt}); try again in a moment.${before}`;
    }
    case 'backoff':
      return (
        `${server} is restarting after it ${state.lastExit.reason}; ` +
        `next retry in ${seconds(state.retryAt - now)} s.${quoteTail(state.lastExit, label)}`
      );
    case 'failed':
      switch (state.reason) {
        case 'crash-loop':
          return (
            `${server} is parked: ${state.message}` +
            (state.lastExit === null ? '' : `; last it ${state.lastExit.reason}`) +
            `. No retry until it is restarted by hand.${quoteTail(state.lastExit, label)}`
          );
        case 'exited':
          return `${server} is down: ${state.message}. Restart it by hand to use it.${quoteTail(state.lastExit, label)}`;
        case 'spawn-error':
          return `${server} could not be started: ${state.message}`;
        default:
          return assertNever(state);
      }
    case 'blocked':
      return `${server} cannot start: ${state.message}.`;
    default:
      return assertNever(state);
  }
}
