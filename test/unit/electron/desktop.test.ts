// The desktop app's composition with every Electron part faked (the Electron binary cannot run here) and a fake
// core: one instance, the window's security and page, IPC registered, events forwarded, the tray following state
// events, notifications with their fix, and a quit that waits for the core to stop, within a bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ControlApi, ControlEvent, IdeClientView } from '../../../preload/contract.ts';
import { EVENT_CHANNEL, callChannel } from '../../../preload/ipc-channels.ts';
import type { StatusReport } from '../../../main/core/status-report.ts';
import { runDesktop, type DesktopCore } from '../../../main/electron/desktop.ts';
import type {
  BrowserWindowOptions,
  ElectronParts,
  MenuItemOptions,
  NotificationOptions,
  NotificationPart,
} from '../../../main/electron/electron-parts.ts';
import { silentLogger } from '../../../main/log/logger.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { CRASH_LOOP, LOGIN, RUNNING, report, server } from './status-fixture.ts';

type Listener = (...args: unknown[]) => void;

function fakeElectron(options: { lock?: boolean } = {}) {
  const appListeners = new Map<string, Listener[]>();
  const calls: string[] = [];
  const windows: { options: BrowserWindowOptions; urls: string[]; sent: unknown[][]; destroyed: boolean }[] = [];
  const menus: MenuItemOptions[][] = [];
  const notes: { options: NotificationOptions; listeners: Map<string, Listener> }[] = [];
  const handled = new Map<string, Listener>();
  const tray = { images: [] as unknown[], tooltips: [] as string[] };
  let shutdown: Listener = () => {};
  const parts: ElectronParts = {
    app: {
      requestSingleInstanceLock: () => options.lock ?? true,
      on: (event: string, listener: Listener) =>
        appListeners.set(event, [...(appListeners.get(event) ?? []), listener]),
      whenReady: async () => {},
      quit: () => {
        calls.push('quit');
        let prevented = false;
        for (const l of appListeners.get('before-quit') ?? []) l({ preventDefault: () => (prevented = true) });
        if (!prevented) calls.push('quit:done');
      },
      exit: (code?: number) => void calls.push(`exit:${code}`),
      getAppPath: () => '/app',
      setAppUserModelId: () => {},
      setLoginItemSettings: () => {},
      getLoginItemSettings: () => ({ openAtLogin: false }),
    } as ElectronParts['app'],
    ipcMain: { handle: (channel, handler) => void handled.set(channel, handler as Listener) },
    protocol: { registerSchemesAsPrivileged: () => {}, handle: (scheme) => void calls.push(`protocol:${scheme}`) },
    session: { setPermissionRequestHandler: () => void calls.push('permissions') },
    powerMonitor: { onShutdown: (l) => void (shutdown = l as Listener), onResume: () => {} },
    createTray: (image) => {
      tray.images.push(image);
      return {
        setImage: (i) => void tray.images.push(i),
        setToolTip: (t) => void tray.tooltips.push(t),
        setContextMenu: (m) => void menus.push(m as MenuItemOptions[]),
        onClick: () => {},
        destroy: () => {},
      };
    },
    trayImage: (path) => ({ path }),
    buildMenu: (template) => template,
    createWindow: (o) => {
      const record = { options: o, urls: [] as string[], sent: [] as unknown[][], destroyed: false };
      windows.push(record);
      const listeners = new Map<string, Listener>();
      return {
        webContents: {
          send: (...args: unknown[]) => void record.sent.push(args),
          on: () => {},
          setWindowOpenHandler: () => {},
        },
        loadURL: async (url: string) => void record.urls.push(url),
        show: () => {},
        focus: () => {},
        restore: () => {},
        isMinimized: () => false,
        isMaximized: () => false,
        maximize: () => {},
        isDestroyed: () => record.destroyed,
        getNormalBounds: () => ({ x: 1, y: 2, width: 900, height: 700 }),
        destroy: () => void (record.destroyed = true),
        once: (event: string, l: Listener) => void listeners.set(event, l),
        on: (event: string, l: Listener) => void listeners.set(event, l),
      };
    },
    notifications: {
      isSupported: () => true,
      create: (o) => {
        const listeners = new Map<string, Listener>();
        notes.push({ options: o, listeners });
        return {
          on: (e: string, l: Listener) => void listeners.set(e, l),
          show: () => {},
          close: () => {},
        } as NotificationPart;
      },
    },
    displays: () => [{ x: 0, y: 0, width: 1920, height: 1080 }],
    openExternal: () => {},
    showError: (title, content) => void calls.push(`error:${title}:${content}`),
    platform: 'linux',
  };
  return { parts, appListeners, calls, windows, menus, notes, handled, tray, shutdown: () => shutdown };
}

function fakeCore(initial: StatusReport, stopMs = 0) {
  let status = initial;
  const listeners: ((e: ControlEvent) => void)[] = [];
  const actions: string[] = [];
  let paused = false;
  let stopped = 0;
  const core: DesktopCore = {
    status: () => status,
    serverAction: async (name, action) => {
      actions.push(`${action}:${name}`);
      return { ok: true };
    },
    onControlEvent: (l) => {
      listeners.push(l);
      return () => listeners.splice(listeners.indexOf(l), 1);
    },
    setGatewayPaused: (p) => void (paused = p),
    get gatewayPaused() {
      return paused;
    },
    stop: () => new Promise((resolve) => setTimeout(() => resolve(void stopped++), stopMs)),
  };
  return {
    core,
    actions,
    emit: (e: ControlEvent) => listeners.forEach((l) => l(e)),
    set: (next: StatusReport) => void (status = next),
    stopped: () => stopped,
    listeners: () => listeners.length,
  };
}

const api = {} as ControlApi;
const loginItem = { isOn: async () => false, set: async () => {} };

test('a second instance quits without starting a core; the first one opens its window on a second launch', async () => {
  const second = fakeElectron({ lock: false });
  let started = 0;
  const start = async () => (started++, { ok: true as const, core: fakeCore(report([])).core, api });
  const base = { dataDir: '/nonexistent', appDir: '/app', loginItem, logger: silentLogger, startHidden: true };
  assert.equal(await runDesktop({ ...base, parts: second.parts, startCore: start }), null);
  assert.deepEqual([second.calls, started], [['quit', 'quit:done'], 0]);

  const first = fakeElectron();
  assert.ok(await runDesktop({ ...base, parts: first.parts, startCore: start }));
  assert.equal(first.windows.length, 0, 'started hidden (at login)');
  first.appListeners.get('second-instance')![0]!();
  // The window opens after its saved place is read from disk.
  await until(() => first.windows.length > 0);
  assert.equal(first.windows.length, 1);
});

test('a core that cannot start is reported in a dialog and the app exits', async () => {
  const fake = fakeElectron();
  const result = await runDesktop({
    parts: fake.parts,
    dataDir: '/nonexistent',
    appDir: '/app',
    startCore: async () => ({ ok: false, error: 'port 7345 is in use' }),
    loginItem,
    logger: silentLogger,
    startHidden: false,
  });
  assert.equal(result, null);
  assert.deepEqual(fake.calls.slice(-2), ['error:Switchboard could not start:port 7345 is in use', 'exit:1']);
});

test('window, IPC, events, tray and notifications follow the core; quitting waits for it to stop', async (t) => {
  const dataDir = await makeTempDir(t);
  const fake = fakeElectron();
  const core = fakeCore(report([server('fs', RUNNING)]), 50);
  const desktop = await runDesktop({
    parts: fake.parts,
    dataDir,
    appDir: '/app',
    startCore: async () => ({ ok: true, core: core.core, api }),
    loginItem,
    logger: silentLogger,
    startHidden: false,
  });
  assert.ok(desktop);
  // Safety before anything is shown: permissions refused, the scheme served, every contract call handled.
  assert.ok(fake.calls.includes('permissions') && fake.calls.includes('protocol:app'));
  assert.ok(fake.handled.has(callChannel('status')) && fake.handled.has(callChannel('serverAction')));
  const [window] = fake.windows;
  assert.ok(window);
  assert.deepEqual(window.urls, ['app://dashboard/index.html']);
  const prefs = window.options.webPreferences;
  assert.deepEqual([prefs['contextIsolation'], prefs['sandbox'], prefs['nodeIntegration']], [true, true, false]);
  assert.equal(prefs['preload'], '/app/dist/preload/electron-preload.cjs');
  assert.deepEqual(fake.tray.images.at(-1), { path: '/app/assets/tray/ok.png' });

  // An event goes to the page; a state change rebuilds the tray and notifies the crash loop with its fix.
  const event: ControlEvent = { type: 'server-state', server: 'fs', state: { state: 'failed' } };
  core.set(report([server('fs', CRASH_LOOP)]));
  core.emit(event);
  assert.deepEqual(window.sent, [[EVENT_CHANNEL, event]]);
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.deepEqual(fake.tray.images.at(-1), { path: '/app/assets/tray/failed.png' });
  assert.match(fake.tray.tooltips.at(-1)!, /need attention \(fs\)/);
  const note = fake.notes.find((n) => n.options.title === 'fs keeps crashing');
  assert.ok(note, 'a crash loop is notified');
  assert.match(note.options.body, /Click to restart/);
  note.listeners.get('click')!();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(core.actions, ['restart:fs']);

  // A client's first connection is notified; its button opens the Clients page.
  core.emit({ type: 'client-first-seen', client: 'cursor' });
  const first = fake.notes.find((n) => n.options.title === 'cursor connected for the first time');
  assert.ok(first, 'a first connection is notified');
  first.listeners.get('click')!();
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(window.urls.at(-1)?.endsWith('#/clients'), `the window went to ${window.urls.at(-1)}`);

  // Pause from the tray's menu: the core pauses, the menu offers Resume.
  const pause = fake.menus.at(-1)!.find((i) => i.label === 'Pause gateway');
  pause!.click!();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(core.core.gatewayPaused, true);
  assert.ok(fake.menus.at(-1)!.some((i) => i.label === 'Resume gateway'));

  // Quit: held until the core has stopped, then the app quits; the window's place is saved.
  fake.parts.app.quit();
  assert.deepEqual(
    fake.calls.filter((c) => c.startsWith('quit')),
    ['quit'],
  );
  assert.equal(core.stopped(), 0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(core.stopped(), 1);
  assert.deepEqual(
    fake.calls.filter((c) => c.startsWith('quit')),
    ['quit', 'quit', 'quit:done'],
  );
  assert.equal(window.destroyed, true);
  assert.equal(core.listeners(), 0, 'no more events after quitting');
  const { loadWindowState } = await import('../../../main/electron/window-state.ts');
  assert.deepEqual((await loadWindowState(dataDir))?.bounds, { x: 1, y: 2, width: 900, height: 700 });
});

test("Log in on a notification opens the Servers page and signs in through the core's login flow", async (t) => {
  const fake = fakeElectron();
  const core = fakeCore(report([server('linear', RUNNING)]), 50);
  const signIns: string[] = [];
  const signingApi = {
    signIn: async ({ name }: { name: string }) => {
      signIns.push(name);
      return name === 'linear' ? { ok: true, value: { signedIn: true, tools: 3 } } : { ok: false, error: 'no' };
    },
  } as unknown as ControlApi;
  const desktop = await runDesktop({
    parts: fake.parts,
    dataDir: await makeTempDir(t),
    appDir: '/app',
    startCore: async () => ({ ok: true, core: core.core, api: signingApi }),
    loginItem,
    logger: silentLogger,
    startHidden: true,
  });
  assert.ok(desktop);
  core.set(report([server('linear', LOGIN)]));
  core.emit({ type: 'server-state', server: 'linear', state: { state: 'blocked' } });
  await new Promise((resolve) => setTimeout(resolve, 250));
  const note = fake.notes.find((n) => n.options.title === 'linear needs you to sign in');
  assert.ok(note, 'an expired sign-in is notified');
  note.listeners.get('click')!();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(signIns, ['linear']);
  assert.ok(fake.windows.at(-1)?.urls.at(-1)?.endsWith('#/servers'), 'the Servers page shows it under way');
  await desktop.run({ kind: 'login', server: 'gone' });
  const failed = fake.notes.find((n) => n.options.title === 'Could not sign in to gone');
  assert.ok(failed, 'a failed sign-in is notified, with a way to try again');
});

test('a core that does not stop in time: the app exits anyway after the bound', async (t) => {
  const fake = fakeElectron();
  const core = fakeCore(report([]), 10_000);
  await runDesktop({
    parts: fake.parts,
    dataDir: await makeTempDir(t),
    appDir: '/app',
    startCore: async () => ({ ok: true, core: core.core, api }),
    loginItem,
    logger: silentLogger,
    startHidden: true,
    quitTimeoutMs: 100,
  });
  let prevented = false;
  fake.shutdown()({ preventDefault: () => (prevented = true) });
  assert.equal(prevented, true, 'a system shutdown is delayed while we stop');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(fake.calls.at(-1), 'exit:1');
});

test('the tray offers the detected clients, repairs drift found at start, and connects from the menu', async (t) => {
  const fake = fakeElectron();
  const core = fakeCore(report([server('fs', RUNNING)]));
  let clients: IdeClientView[] = [
    { id: 'cursor', label: 'Cursor', scope: 'user', file: '/home/me/.cursor/mcp.json', state: 'not-connected' },
    {
      id: 'zed',
      label: 'Zed',
      scope: 'user',
      file: '/home/me/.config/zed/settings.json',
      state: 'stale',
      reason: 'its token was revoked',
    },
    { id: 'windsurf', label: 'Windsurf', scope: 'user', file: '/w', state: 'not-installed' },
  ];
  const connects: unknown[] = [];
  let reads = 0;
  const clientsApi = {
    ideClients: async () => (reads++, { ok: true, value: { clients } }),
    connectClient: async (input: { id: string }) => {
      connects.push(input);
      if (input.id === 'cursor') return { ok: false, error: 'mcp.json does not parse: line 3' };
      clients = clients.map((c) => (c.id === input.id ? { ...c, state: 'connected' as const } : c));
      return {
        ok: true,
        value: { file: '/home/me/.config/zed/settings.json', changed: true, backup: null, reload: 'Reload Zed.' },
      };
    },
  } as unknown as ControlApi;
  const desktop = await runDesktop({
    parts: fake.parts,
    dataDir: await makeTempDir(t),
    appDir: '/app',
    startCore: async () => ({ ok: true, core: core.core, api: clientsApi }),
    loginItem,
    logger: silentLogger,
    startHidden: true,
  });
  assert.ok(desktop);
  t.after(() => desktop.clients.close());
  const connectMenu = () =>
    fake.menus
      .at(-1)!
      .find((i) => i.label === 'Connect a client')!
      .submenu!.map((i) => [i.label, i.enabled]);

  // At start: the clients are read, the menu lists the installed ones, and the stale one is announced.
  const drift = await until(() => fake.notes.find((n) => n.options.title === 'Zed no longer reaches Switchboard'));
  assert.match(drift.options.body, /its token was revoked/);
  await until(() => connectMenu().length === 2);
  assert.deepEqual(connectMenu(), [
    ['Cursor', true],
    ['Zed: repair connection', true],
  ]);

  // Repair from the notification: connected, the outcome notified, the menu shows it connected.
  drift.listeners.get('click')!();
  const done = await until(() => fake.notes.find((n) => n.options.title === 'Zed is connected to Switchboard'));
  assert.match(done.options.body, /Reload Zed\./);
  assert.deepEqual(connects, [{ id: 'zed' }]);
  await until(() => connectMenu()[1]?.[0] === 'Zed (connected)');

  // A connect that fails opens the Clients page instead.
  fake.menus
    .at(-1)!
    .find((i) => i.label === 'Connect a client')!
    .submenu!.find((i) => i.label === 'Cursor')!.click!();
  await until(() => fake.windows[0]?.urls.at(-1)?.endsWith('#/clients'));
  assert.deepEqual(connects, [{ id: 'zed' }, { id: 'cursor' }]);

  // A connect made by the dashboard over IPC makes the tray read the clients again.
  const before = reads;
  const handler = fake.handled.get(callChannel('connectClient'))!;
  await handler({ senderFrame: { url: 'app://dashboard/index.html' } }, { id: 'zed' });
  await until(() => reads > before);
});

/** Waits for `check` to give something truthy (the shell's reads and actions run on their own). */
async function until<T>(check: () => T | undefined | false, timeoutMs = 2_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
