// The Electron main process: builds the real Electron parts and the core, and hands them to runDesktop
// (desktop.ts), where the app's logic is. `npm start` runs this file compiled (dist/main/electron/app.js).
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  BrowserWindow,
  Menu,
  Notification,
  Tray,
  app,
  dialog,
  ipcMain,
  nativeImage,
  powerMonitor,
  protocol,
  screen,
  session,
  shell,
  type NativeImage,
} from 'electron';
import { controlRequest } from '../control/control-client.ts';
import { Core } from '../core/core.ts';
import { coreLogger } from '../log/core-logger.ts';
import { resolveDataDir } from '../paths/data-dir.ts';
import { registerDashboardScheme } from './dashboard-protocol.ts';
import { runDesktop, type StartedCore } from './desktop.ts';
import { loginItemFor } from './login-item.ts';

// Privileged schemes must be registered before the app is ready, so before anything is awaited.
registerDashboardScheme(protocol);

const dataDir = resolveDataDir({
  env: process.env,
  platform: process.platform,
  homedir: homedir(),
  cwd: process.cwd(),
});
const logger = coreLogger({ dir: dataDir });
// An AppImage runs from a mounted copy; autostart must name the AppImage file itself.
const launch = [process.env['APPIMAGE'] ?? process.execPath, ...(app.isPackaged ? [] : [app.getAppPath()]), '--hidden'];

async function startCore(): Promise<StartedCore> {
  const running = await controlRequest<{ pid: number }>(dataDir, 'GET', '/status');
  if (running.ok) {
    return {
      ok: false,
      error: `switchboard serve is already running for ${dataDir} (pid ${running.value.pid}). Stop it, or give the app another data directory with SWITCHBOARD_HOME.`,
    };
  }
  const started = await Core.start({ dataDir, logger });
  return started.ok ? { ok: true, core: started.core, api: started.core.controlApi } : started;
}

await runDesktop({
  parts: {
    app,
    ipcMain,
    protocol,
    session: session.defaultSession,
    powerMonitor: {
      // The docs give this event an Event whose preventDefault delays the shutdown; the typings leave it out.
      onShutdown: (listener) => void powerMonitor.on('shutdown', listener as unknown as () => void),
      onResume: (listener) => void powerMonitor.on('resume', listener),
    },
    createTray: (image) => {
      const tray = new Tray(image as NativeImage);
      return {
        setImage: (next) => tray.setImage(next as NativeImage),
        setToolTip: (text) => tray.setToolTip(text),
        setContextMenu: (menu) => tray.setContextMenu(menu as Menu),
        onClick: (listener) => void tray.on('click', listener),
        destroy: () => tray.destroy(),
      };
    },
    trayImage: (path) => nativeImage.createFromPath(path),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    createWindow: (options) => new BrowserWindow(options),
    notifications: { isSupported: () => Notification.isSupported(), create: (options) => new Notification(options) },
    displays: () => screen.getAllDisplays().map((d) => d.workArea),
    openExternal: (url) => void shell.openExternal(url),
    showError: (title, content) => dialog.showErrorBox(title, content),
    platform: process.platform,
  },
  dataDir,
  appDir: app.getAppPath(),
  startCore,
  loginItem: loginItemFor(process.platform, app, {
    configHome: process.env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'),
    command: launch,
  }),
  logger,
  startHidden: process.argv.includes('--hidden'),
});
