// Status reports for the desktop shell's tests, built from the core's own types.
import type { SecretStanding } from '../../../main/core/credentials.ts';
import type { ServerStatus, StatusReport } from '../../../main/core/status-report.ts';
import type { ServerState } from '../../../main/supervisor/server-state.ts';

/** The audit upload with no endpoint set. */
export const UPLOAD_OFF: StatusReport['audit']['upload'] = {
  state: 'off',
  target: null,
  source: null,
  pending: 0,
  lastUploadAt: null,
  lastError: null,
  retryAt: null,
  failures: 0,
};

export function server(name: string, state: ServerState, enabled = true): ServerStatus {
  return {
    name,
    transport: 'stdio',
    enabled,
    state,
    pid: null,
    isolation: 'shared',
    instances: 0,
    era: null,
    restarts: 0,
    tools: 0,
    start: 'always',
    lastStartMs: null,
    slowStart: false,
    usage: null,
  };
}

export const RUNNING: ServerState = { state: 'running', since: 1, pid: 10 };
export const CRASH_LOOP: ServerState = {
  state: 'failed',
  reason: 'crash-loop',
  message: 'crashed 5 times in 60 s',
  lastExit: { code: 1, signal: null, stderrTail: [], at: 2, reason: 'exited with code 1' },
};
export const LOGIN: ServerState = {
  state: 'blocked',
  reason: 'login-required',
  message: 'sign in to linear',
  since: 3,
};
export const MISSING: ServerState = {
  state: 'blocked',
  reason: 'secret-missing',
  message: 'secret GITHUB_TOKEN is not set; run `switchboard secret set GITHUB_TOKEN`',
  since: 4,
};

export function report(
  servers: readonly ServerStatus[],
  more: { secrets?: readonly SecretStanding[]; auditFailure?: string } = {},
): StatusReport {
  return {
    version: '0.1.0',
    pid: 1,
    startedAt: '2026-11-26T00:00:00Z',
    gatewayUrl: 'http://127.0.0.1:8765/mcp',
    sessions: 0,
    servers,
    secrets: more.secrets ?? [],
    audit: { failure: more.auditFailure ?? null, dropped: 0, upload: UPLOAD_OFF },
  };
}
