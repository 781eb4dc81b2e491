// One line per server state, for terminals.
import { assertNever, type ServerState } from '../supervisor/server-state.ts';

export function describeState(state: ServerState, now: number): string {
  switch (state.state) {
    case 'stopped':
      return 'stopped';
    case 'idle':
      return 'idle (stopped, starts on use)';
    case 'starting':
      return `starting (attempt ${state.attempt})`;
    case 'running':
      return `running${state.pid === null ? '' : ` (pid ${state.pid})`}`;
    case 'degraded':
      return `degraded: ${state.failedPings} failed health check(s), ${state.lastError}`;
    case 'backoff':
      return `restarting in ${Math.max(0, (state.retryAt - now) / 1000).toFixed(1)} s after: ${state.lastExit.reason}`;
    case 'failed':
      return `failed (${state.reason}): ${state.message}`;
    case 'blocked':
      return `blocked (${state.reason}): ${state.message}`;
    default:
      return assertNever(state);
  }
}
