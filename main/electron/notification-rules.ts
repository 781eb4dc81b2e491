// Which OS notifications a change of the core's state deserves, each with the button that fixes it. Rules look at
// transitions between two status reports, so a state that lasts is announced once, not at every refresh.
import type { SecretStanding } from '../core/credentials.ts';
import type { ServerStatus, StatusReport } from '../core/status-report.ts';
import type { TrayAction } from './tray-actions.ts';

export interface AppNotification {
  /** Stable for one event, so the shell can replace rather than stack a repeat. */
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly button?: { readonly label: string; readonly action: TrayAction };
}

function stateKey(server: ServerStatus | undefined): string {
  if (server === undefined) return 'absent';
  const { state } = server.state;
  return state === 'failed' || state === 'blocked' ? `${state}:${server.state.reason}` : state;
}

function serverNotice(server: ServerStatus): AppNotification | null {
  const { name, state } = { name: server.name, state: server.state };
  if (state.state === 'failed') {
    const restart = { label: 'Restart', action: { kind: 'restart', server: name } } as const;
    if (state.reason === 'crash-loop') {
      const last = state.lastExit === null ? '' : ` The last run ${state.lastExit.reason}.`;
      return {
        id: `server:${name}:crash-loop`,
        title: `${name} keeps crashing`,
        body: `Switchboard stopped restarting it.${last}`,
        button: restart,
      };
    }
    return { id: `server:${name}:failed`, title: `${name} stopped`, body: state.message, button: restart };
  }
  if (state.state === 'blocked') {
    if (state.reason === 'login-required') {
      return {
        id: `server:${name}:login`,
        title: `${name} needs you to sign in`,
        body: state.message,
        button: { label: 'Log in', action: { kind: 'login', server: name } },
      };
    }
    if (state.reason === 'approval-required') {
      return {
        id: `server:${name}:approval`,
        title: `${name} waits for your approval`,
        body: state.message,
        button: { label: 'Review', action: { kind: 'open-dashboard', page: 'servers' } },
      };
    }
    return {
      id: `server:${name}:blocked`,
      title: `${name} cannot start`,
      body: state.message,
      button: { label: 'Fix credentials', action: { kind: 'open-dashboard', page: 'credentials' } },
    };
  }
  return null;
}

function secretKey(secret: SecretStanding | undefined): string {
  if (secret === undefined) return 'absent';
  const { expiry } = secret;
  return expiry.state === 'expiring' ? `expiring:${expiry.days}` : expiry.state;
}

function secretNotice(secret: SecretStanding): AppNotification | null {
  const { expiry } = secret;
  const rotate = { label: 'Rotate', action: { kind: 'open-dashboard', page: 'credentials' } } as const;
  if (expiry.state === 'expiring') {
    const when = expiry.days === 1 ? 'within a day' : 'within 7 days';
    return {
      id: `secret:${secret.name}:${expiry.days}`,
      title: `Secret ${secret.name} expires ${when}`,
      body: `It expires ${expiry.expires}. Servers that use it stop working then.`,
      button: rotate,
    };
  }
  if (expiry.state === 'expired') {
    return {
      id: `secret:${secret.name}:expired`,
      title: `Secret ${secret.name} has expired`,
      body: `It expired ${expiry.expires}. Set a new value to bring its servers back.`,
      button: rotate,
    };
  }
  return null;
}

/** The notifications the change from `previous` (null at start) to `next` deserves. */
export function notificationsFor(previous: StatusReport | null, next: StatusReport): AppNotification[] {
  const notes: AppNotification[] = [];
  const before = new Map(previous?.servers.map((s) => [s.name, s]));
  for (const server of next.servers) {
    // At start, only what needs a person is worth interrupting for; a server still starting is not.
    if (stateKey(before.get(server.name)) === stateKey(server)) continue;
    const notice = serverNotice(server);
    if (notice !== null) notes.push(notice);
  }
  const secretsBefore = new Map(previous?.secrets.map((s) => [s.name, s]));
  for (const secret of next.secrets) {
    if (secretKey(secretsBefore.get(secret.name)) === secretKey(secret)) continue;
    const notice = secretNotice(secret);
    if (notice !== null) notes.push(notice);
  }
  const teamNotice = teamPolicyNotice(previous, next);
  if (teamNotice !== null) notes.push(teamNotice);
  const applied = teamVersionNotice(previous, next);
  if (applied !== null) notes.push(applied);
  if (next.audit.failure !== null && (previous?.audit.failure ?? null) === null) {
    notes.push({
      id: 'audit:failure',
      title: 'The audit log cannot be written',
      body: `${next.audit.failure}. Calls go on; records are held until it can be written.`,
      button: { label: 'Open dashboard', action: { kind: 'open-dashboard' } },
    });
  }
  return notes;
}

/**
 * A new team policy version in force: the rules every call here answers to changed. Not at start (no previous
 * report) and not for the first document of an enrollment made here, which the person is watching.
 */
function teamVersionNotice(previous: StatusReport | null, next: StatusReport): AppNotification | null {
  const before = previous?.teamPolicy?.version ?? null;
  const now = next.teamPolicy?.version ?? null;
  if (previous === null || before === null || now === null || now === before) return null;
  return {
    id: 'team-policy:version',
    title: `Team policy updated to version ${now}`,
    body: `The ${next.teamPolicy!.team} team's policy changed from version ${before}: tools, limits and rules may differ.`,
    button: { label: 'Review', action: { kind: 'open-dashboard', page: 'policy' } },
  };
}

/** A new team policy alert (a document refused, a stale feed, a refused cache, an app too old), once each. */
function teamPolicyNotice(previous: StatusReport | null, next: StatusReport): AppNotification | null {
  const alert = next.teamPolicy?.lastAlert ?? null;
  if (alert === null) return null;
  const before = previous?.teamPolicy?.lastAlert ?? null;
  if (before !== null && before.at === alert.at && before.reason === alert.reason) return null;
  const title = alert.reason === 'stale' ? 'Team policy is stale' : `Team policy alert: ${alert.reason}`;
  return {
    id: `team-policy:${alert.reason}`,
    title,
    body: alert.message,
    button: { label: 'Open dashboard', action: { kind: 'open-dashboard' } },
  };
}
