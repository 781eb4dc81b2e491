// The parts of Electron the shell uses, as interfaces: app.ts hands in the real modules, tests hand in fakes (the
// Electron binary cannot run in CI or on a headless box). Only what the shell calls is listed, with Electron's
// own names and signatures, so the real objects satisfy them as they are.
import type { IpcMainLike } from './control-ipc.ts';
import type { GuardedContents } from './window-policy.ts';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** An image for the tray, from nativeImage.createFromPath. */
export type TrayImage = object;

export interface MenuItemOptions {
  readonly label?: string;
  readonly type?: 'normal' | 'separator' | 'submenu' | 'checkbox';
  readonly enabled?: boolean;
  readonly checked?: boolean;
  readonly click?: () => void;
  readonly submenu?: MenuItemOptions[];
}

export interface AppPart {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  whenReady(): Promise<unknown>;
  quit(): void;
  exit(code?: number): void;
  getAppPath(): string;
  setAppUserModelId(id: string): void;
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
  getLoginItemSettings(): { openAtLogin: boolean };
}

export interface TrayPart {
  setImage(image: TrayImage): void;
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
  onClick(listener: () => void): void;
  destroy(): void;
}

export interface WebContentsPart extends GuardedContents {
  send(channel: string, ...args: unknown[]): void;
}

export interface BrowserWindowPart {
  readonly webContents: WebContentsPart;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isMaximized(): boolean;
  maximize(): void;
  isDestroyed(): boolean;
  getNormalBounds(): Rect;
  destroy(): void;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'close' | 'closed', listener: () => void): unknown;
}

export interface BrowserWindowOptions {
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly x?: number;
  readonly y?: number;
  readonly minWidth: number;
  readonly minHeight: number;
  readonly show: boolean;
  readonly backgroundColor: string;
  readonly webPreferences: Readonly<Record<string, unknown>>;
}

export interface NotificationOptions {
  readonly title: string;
  readonly body: string;
  readonly actions?: { readonly type: 'button'; readonly text: string }[];
}

export interface NotificationPart {
  on(event: 'click', listener: () => void): unknown;
  on(event: 'action', listener: (event: unknown, index: number) => void): unknown;
  show(): void;
  close(): void;
}

export interface ProtocolPart {
  registerSchemesAsPrivileged(
    schemes: { scheme: string; privileges: { standard: boolean; secure: boolean; supportFetchAPI: boolean } }[],
  ): void;
  handle(scheme: string, handler: (request: { readonly url: string }) => Promise<Response>): void;
}

export interface SessionPart {
  setPermissionRequestHandler(
    handler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
  ): void;
}

export interface PowerMonitorPart {
  /** The system is about to shut down or reboot (macOS, Linux); preventDefault delays it while we stop. */
  onShutdown(listener: (event: { preventDefault(): void }) => void): void;
  /** Woken from sleep. */
  onResume(listener: () => void): void;
}

/** Everything the shell needs from Electron, built once in app.ts. */
export interface ElectronParts {
  readonly app: AppPart;
  readonly ipcMain: IpcMainLike;
  readonly protocol: ProtocolPart;
  readonly session: SessionPart;
  readonly powerMonitor: PowerMonitorPart;
  readonly createTray: (image: TrayImage) => TrayPart;
  readonly trayImage: (path: string) => TrayImage;
  readonly buildMenu: (template: MenuItemOptions[]) => unknown;
  readonly createWindow: (options: BrowserWindowOptions) => BrowserWindowPart;
  readonly notifications: { isSupported(): boolean; create(options: NotificationOptions): NotificationPart };
  readonly displays: () => readonly Rect[];
  readonly openExternal: (url: string) => void;
  readonly showError: (title: string, content: string) => void;
  readonly platform: NodeJS.Platform;
}
