// The life of one supervised server as a discriminated union: each state carries exactly what is true in it,
// so "running without a connection" or "backoff without a retry time" cannot be written down.
import type { BlockedReason } from '../vault/resolve-secrets.ts';

/** How the last process (or connection) ended, kept for error messages and the UI. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
  /** Last lines of stderr (or the transport error for a remote server), oldest first. */
  readonly stderrTail: readonly string[];
  readonly at: number;
  /** A one-line reason a person can read: "exited with code 1", "killed by SIGKILL", "did not answer initialize within 30000 ms". */
  readonly reason: string;
}

export type ServerState =
  | { readonly state: 'stopped' }
  /** An on-demand server with no process: its lists come from the cache, and the first request that needs it starts it. */
  | { readonly state: 'idle'; readonly since: number }
  | { readonly state: 'starting'; readonly since: number; readonly attempt: number }
  | { readonly state: 'running'; readonly since: number; readonly pid: number | null }
  | {
      readonly state: 'degraded';
      readonly since: number;
      readonly pid: number | null;
      readonly failedPings: number;
      readonly lastError: string;
    }
  | { readonly state: 'backoff'; readonly retryAt: number; readonly attempt: number; readonly lastExit: ExitInfo }
  | {
      readonly state: 'failed';
      /** `crash-loop`: too many crashes in the window; `exited`: ended and the restart policy says stay down. */
      readonly reason: 'crash-loop' | 'exited' | 'spawn-error';
      readonly message: string;
      readonly lastExit: ExitInfo | null;
    }
  /** Not started for want of a credential: the keychain is unreachable, or a secret is missing or expired. */
  | { readonly state: 'blocked'; readonly reason: BlockedReason; readonly message: string; readonly since: number };

export type ServerStateName = ServerState['state'];

/** Whether calls can be sent to the server in this state. */
export function isServing(state: ServerState): boolean {
  return state.state === 'running' || state.state === 'degraded';
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
