// The desktop app's composition: one instance, the core started on the data directory `serve` uses, the tray,
// notifications, the dashboard window and its IPC, and a quit that drains. Every Electron part comes in through
// `ElectronParts`, so this is tested with fakes (desktop.test.ts); app.ts only builds the real ones.
import { join } from 'node:path';
import type { ControlApi, ControlEvent } from '../../preload/contract.ts';
import { EVENT_CHANNEL } from '../../preload/ipc-channels.ts';
import type { ActionResult } from '../control/control-server.ts';
import type { StatusReport } from '../core/status-report.ts';
import type { Logger } from '../log/logger.ts';
import { assertNever } from '../supervisor/server-state.ts';
import { connectedNotification, driftNotifications } from './client-notifications.ts';
import { registerControlIpc } from './control-ipc.ts';
import { DASHBOARD_ORIGIN, handleDashboardScheme } from './dashboard-protocol.ts';
import { DashboardWindow } from './dashboard-window.ts';
import type { ElectronParts } from './electron-parts.ts';
import { holdQuitForShutdown } from './graceful-quit.ts';
import { IdeClientWatch, refreshingClients } from './ide-clients.ts';
import type { LoginItem } from './login-item.ts';
import { Notifier } from './notifier.ts';
import type { TrayAction } from './tray-actions.ts';
import { TrayController } from './tray-controller.ts';
import type { TrayHealth } from './tray-health.ts';
import { loadWindowState, saveWindowState } from './window-state.ts';

/** What the shell uses of the core (main/core/core.ts). */
export interface DesktopCore {
  status(): StatusReport;
  serverAction(name: string, action: 'restart' | 'stop' | 'start'): Promise<ActionResult>;
  onControlEvent(listener: (event: ControlEvent) => void): () => void;
  setGatewayPaused(paused: boolean): void;
  readonly gatewayPaused: boolean;
  stop(): Promise<void>;
}

export type StartedCore =
  | { readonly ok: true; readonly core: DesktopCore; readonly api: ControlApi }
  | { readonly ok: false; readonly error: string };

export interface DesktopOptions {
  readonly parts: ElectronParts;
  readonly dataDir: string;
  /** The app's folder: dist/, renderer/dist/ and assets/ are found under it. */
  readonly appDir: string;
  readonly startCore: () => Promise<StartedCore>;
  readonly loginItem: LoginItem;
  readonly logger: Logger;
  /** Launched at login: stay in the tray instead of opening the dashboard. */
  readonly startHidden: boolean;
  /** How often the IDE clients are read again without a change made here (hand edits, new installs). */
  readonly clientsRefreshMs?: number;
  readonly quitTimeoutMs?: number;
  /** How often the tray looks at the status without an event (secret expiry, the audit log's health). */
  readonly pollMs?: number;
}

export const APP_USER_MODEL_ID = 'dev.switchboard.desktop';
/** The gateway's default drainMs (10 s) and a server's stop grace, with room to spare. */
const QUIT_TIMEOUT_MS = 20_000;

export function trayIconPath(appDir: string, health: TrayHealth): string {
  return join(appDir, 'assets', 'tray', `${health}.png`);
}

export interface Desktop {
  readonly window: DashboardWindow;
  readonly tray: TrayController;
  readonly clients: IdeClientWatch;
  run(action: TrayAction): Promise<void>;
}

/** Runs the app; null when another instance has it (that one is focused) or the core could not start. */
export async function runDesktop(o: DesktopOptions): Promise<Desktop | null> {
  const { parts, logger } = o;
  const { app } = parts;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  let desktop: Desktop | null = null;
  app.on('second-instance', () => void desktop?.run({ kind: 'open-dashboard' }));
  // A tray app keeps running with no window open; Electron's default would quit.
  app.on('window-all-closed', () => {});
  await app.whenReady();
  if (parts.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
  // The dashboard needs no camera, notifications from the page, or anything else a page may ask for.
  parts.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  handleDashboardScheme(parts.protocol, join(o.appDir, 'renderer', 'dist'));

  const started = await o.startCore();
  if (!started.ok) {
    parts.showError('Switchboard could not start', started.error);
    app.exit(1);
    return null;
  }
  const { core, api } = started;

  const onError = (message: string, error: unknown): void =>
    logger.warn(message, { error: error instanceof Error ? error.message : String(error) });
  const window = new DashboardWindow({
    createWindow: parts.createWindow,
    preloadPath: join(o.appDir, 'dist', 'preload', 'electron-preload.cjs'),
    openExternal: parts.openExternal,
    displays: parts.displays,
    loadState: () => loadWindowState(o.dataDir),
    saveState: (state) => saveWindowState(o.dataDir, state),
    onError,
  });
  let openAtLogin = await o.loginItem.isOn().catch(() => undefined);
  const notifier = new Notifier({
    notifications: parts.notifications,
    run: (a) => void run(a),
    platform: parts.platform,
  });
  const icon = (health: TrayHealth) => parts.trayImage(trayIconPath(o.appDir, health));
  const clients = new IdeClientWatch({
    api,
    onChange: () => tray.refresh(),
    onError,
    ...(o.clientsRefreshMs === undefined ? {} : { refreshMs: o.clientsRefreshMs }),
  });
  // The dashboard's connects, disconnects and imports change clients' files too: the tray re-reads after each.
  registerControlIpc(
    parts.ipcMain,
    refreshingClients(api, () => void clients.refresh()),
    DASHBOARD_ORIGIN,
  );
  const trayIcon = parts.createTray(icon('idle'));
  // Windows and macOS report clicks on the icon itself; Linux's indicators open the menu instead.
  trayIcon.onClick(() => void run({ kind: 'open-dashboard' }));
  const tray = new TrayController({
    tray: trayIcon,
    icon,
    buildMenu: parts.buildMenu,
    status: () => core.status(),
    paused: () => core.gatewayPaused,
    clients: () => clients.list(),
    openAtLogin: () => openAtLogin,
    run: (a) => void run(a),
    onReport: (report) => notifier.update(report),
  });

  async function run(action: TrayAction): Promise<void> {
    try {
      switch (action.kind) {
        case 'restart': {
          const done = await core.serverAction(action.server, 'restart');
          if (!done.ok) onError(`could not restart ${action.server}`, done.error);
          return tray.refresh();
        }
        case 'login': {
          // The authorization page opens in the browser; the Servers page shows the sign-in under way.
          await window.show('servers');
          const signedIn = await api.signIn({ name: action.server });
          if (!signedIn.ok) {
            onError(`could not sign in to ${action.server}`, signedIn.error);
            notifier.notify({
              id: `server:${action.server}:login`,
              title: `Could not sign in to ${action.server}`,
              body: signedIn.error,
              button: { label: 'Try again', action },
            });
          }
          return tray.refresh();
        }
        case 'open-dashboard':
          return await window.show(action.page);
        case 'connect-client':
          return await connectClient(action.client);
        case 'pause-gateway':
        case 'resume-gateway':
          core.setGatewayPaused(action.kind === 'pause-gateway');
          return tray.render();
        case 'set-open-at-login':
          await o.loginItem.set(action.open);
          openAtLogin = await o.loginItem.isOn();
          return tray.render();
        case 'quit':
          return app.quit();
        default:
          return assertNever(action);
      }
    } catch (error) {
      onError(`the tray action ${action.kind} failed`, error);
    }
  }

  /** Connects (or repairs) from the tray: the outcome as a notification, a failure on the Clients page. */
  async function connectClient(id: string): Promise<void> {
    const label = clients.label(id);
    const answer = await api.connectClient({ id });
    await clients.refresh();
    if (answer.ok) return notifier.notify(connectedNotification(id, label, answer.value));
    onError(`could not connect ${label}`, answer.error);
    await window.show('clients');
  }

  const unsubscribe = core.onControlEvent((event) => {
    window.send(EVENT_CHANNEL, event);
    if (event.type === 'server-state') tray.refresh();
    notifier.event(event);
  });
  const poll = setInterval(() => tray.refresh(), o.pollMs ?? 60_000);
  poll.unref();
  holdQuitForShutdown({
    app,
    stop: () => core.stop(),
    timeoutMs: o.quitTimeoutMs ?? QUIT_TIMEOUT_MS,
    onStopping: async () => {
      clearInterval(poll);
      clients.close();
      unsubscribe();
      tray.quitting();
      notifier.close();
      await window.close();
    },
    onTimeout: () => logger.error('servers did not stop in time; quitting anyway (the watchdog reaps them)'),
  });
  // A system shutdown or reboot quits the same way, so servers stop cleanly rather than being killed.
  parts.powerMonitor.onShutdown((event) => {
    event.preventDefault();
    app.quit();
  });
  parts.powerMonitor.onResume(() => tray.refresh());

  desktop = { window, tray, clients, run };
  tray.render();
  // Drift since the last run: a client whose entry no longer works is announced once, with Repair.
  void clients.start().then((found) => {
    for (const note of driftNotifications(found)) notifier.notify(note);
  });
  if (!o.startHidden) await window.show();
  return desktop;
}
