// A server's state in words: the state's name, what is true in it, and how long it has been up.
import type { ServerView } from '../../../../preload/contract.ts';
import { formatDuration } from '../../ui/format.ts';

type State = ServerView['state'];

function text(state: State, key: string): string | null {
  const value = state[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

function num(state: State, key: string): number | null {
  const value = state[key];
  return typeof value === 'number' ? value : null;
}

/** What a person needs to know beside the state's name: why it is not running, or how its checks go. */
export function stateDetail(state: State, now: number): string {
  switch (state.state) {
    case 'running':
      return 'healthy';
    case 'degraded': {
      const pings = num(state, 'failedPings');
      const error = text(state, 'lastError');
      return `${pings ?? 'some'} failed health check${pings === 1 ? '' : 's'}${error === null ? '' : `: ${error}`}`;
    }
    case 'starting': {
      const attempt = num(state, 'attempt');
      return attempt !== null && attempt > 1 ? `attempt ${attempt}` : 'starting';
    }
    case 'backoff': {
      const retryAt = num(state, 'retryAt');
      const lastExit = state['lastExit'];
      const reason =
        typeof lastExit === 'object' && lastExit !== null && 'reason' in lastExit ? String(lastExit.reason) : null;
      const wait = retryAt === null ? '' : `retrying in ${formatDuration(Math.max(0, retryAt - now))}`;
      return [reason, wait].filter((part) => part !== null && part !== '').join('; ');
    }
    case 'failed':
    case 'blocked':
      return text(state, 'message') ?? text(state, 'reason') ?? state.state;
    case 'stopped':
      return '';
    case 'idle':
      return 'stopped, starts on use';
  }
}

/** How long the server has been up, when it is. */
export function uptime(state: State, now: number): string {
  if (state.state !== 'running' && state.state !== 'degraded') return '—';
  const since = num(state, 'since');
  return since === null ? '—' : formatDuration(Math.max(0, now - since));
}

/** Whether each action makes sense in this state. */
export function actionsFor(state: State): { start: boolean; stop: boolean; restart: boolean } {
  const down =
    state.state === 'stopped' || state.state === 'failed' || state.state === 'blocked' || state.state === 'idle';
  return {
    start: down || state.state === 'backoff',
    stop: state.state !== 'stopped' && state.state !== 'idle',
    restart: !down,
  };
}
