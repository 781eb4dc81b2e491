// The tray menu as data, from the core's status: each server with its state and what fixes it, pause or resume
// the gateway, the IDE clients to connect, the dashboard, quit. The shell turns entries into an Electron menu.
import type { ServerStatus, StatusReport } from '../core/status-report.ts';
import type { ServerState } from '../supervisor/server-state.ts';
import type { TrayAction } from './tray-actions.ts';

export type MenuEntry =
  | { readonly type: 'separator' }
  | {
      readonly type: 'item';
      readonly label: string;
      readonly enabled: boolean;
      /** A check box, ticked or not; absent for a plain item. */
      readonly checked?: boolean;
      readonly action?: TrayAction;
      readonly submenu?: readonly MenuEntry[];
    };

/** An IDE client installed on this machine, and where its connection to the gateway stands. */
export interface DetectedClient {
  readonly id: string;
  readonly name: string;
  /** `stale`: our entry is there but no longer works; connecting again repairs it. */
  readonly state: 'not-connected' | 'connected' | 'stale';
}

export interface TrayMenuInput {
  readonly report: StatusReport;
  readonly paused: boolean;
  readonly clients: readonly DetectedClient[];
  /** Whether the app starts at login; the entry is left out where the shell cannot tell. */
  readonly openAtLogin?: boolean;
}

const item = (label: string, action?: TrayAction, enabled = true): MenuEntry => ({
  type: 'item',
  label,
  enabled,
  ...(action ? { action } : {}),
});
const SEPARATOR: MenuEntry = { type: 'separator' };

/** A few words for a state, the way a menu can show it. */
export function stateLabel(state: ServerState): string {
  switch (state.state) {
    case 'running':
      return 'running';
    case 'starting':
      return 'starting';
    case 'stopped':
      return 'stopped';
    case 'idle':
      return 'idle (starts on use)';
    case 'degraded':
      return `degraded (${state.failedPings} missed health checks)`;
    case 'backoff':
      return `restarting (attempt ${state.attempt})`;
    case 'failed':
      return state.reason === 'crash-loop'
        ? 'failed: keeps crashing'
        : `failed: ${state.lastExit?.reason ?? state.message}`;
    case 'blocked':
      switch (state.reason) {
        case 'login-required':
          return 'needs sign-in';
        case 'secret-missing':
          return 'blocked: a secret is missing';
        case 'secret-expired':
          return 'blocked: a secret has expired';
        case 'keychain':
          return 'blocked: keychain unavailable';
        case 'approval-required':
          return 'waiting for your approval of its command';
      }
  }
}

function serverEntry(server: ServerStatus): MenuEntry {
  const fixes: MenuEntry[] = [];
  if (server.state.state === 'blocked' && server.state.reason === 'login-required') {
    fixes.push(item('Log in…', { kind: 'login', server: server.name }));
  } else if (server.state.state === 'blocked' && server.state.reason === 'approval-required') {
    fixes.push(item('Review command…', { kind: 'open-dashboard', page: 'servers' }));
  } else if (server.state.state === 'blocked') {
    fixes.push(item('Fix credentials…', { kind: 'open-dashboard', page: 'credentials' }));
  }
  fixes.push(item('Restart', { kind: 'restart', server: server.name }, server.enabled));
  fixes.push(item('Show in dashboard', { kind: 'open-dashboard', page: 'servers' }));
  const label = server.enabled ? `${server.name}: ${stateLabel(server.state)}` : `${server.name}: disabled`;
  return { type: 'item', label, enabled: true, submenu: fixes };
}

function clientsEntry(clients: readonly DetectedClient[]): MenuEntry {
  const submenu =
    clients.length === 0
      ? [item('No IDE clients found on this machine', undefined, false)]
      : clients.map((c) => {
          switch (c.state) {
            case 'connected':
              return item(`${c.name} (connected)`, undefined, false);
            case 'stale':
              return item(`${c.name}: repair connection`, { kind: 'connect-client', client: c.id });
            case 'not-connected':
              return item(c.name, { kind: 'connect-client', client: c.id });
          }
        });
  return { type: 'item', label: 'Connect a client', enabled: true, submenu };
}

export function trayMenu({ report, paused, clients, openAtLogin }: TrayMenuInput): MenuEntry[] {
  const servers =
    report.servers.length === 0
      ? [item('No servers yet: add one in the dashboard', { kind: 'open-dashboard', page: 'servers' })]
      : report.servers.map(serverEntry);
  return [
    ...servers,
    SEPARATOR,
    paused ? item('Resume gateway', { kind: 'resume-gateway' }) : item('Pause gateway', { kind: 'pause-gateway' }),
    clientsEntry(clients),
    item('Open dashboard', { kind: 'open-dashboard' }),
    ...(openAtLogin === undefined
      ? []
      : [
          {
            type: 'item',
            label: 'Open at login',
            enabled: true,
            checked: openAtLogin,
            action: { kind: 'set-open-at-login', open: !openAtLogin },
          } as const,
        ]),
    SEPARATOR,
    item('Quit Switchboard', { kind: 'quit' }),
  ];
}
