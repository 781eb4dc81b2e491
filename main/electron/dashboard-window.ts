// The dashboard's one window: opened from the tray, a notification or a second launch; closed, it is destroyed
// (a hidden renderer would hold its memory for nothing) and opened again on demand. It comes back at its saved
// size and place (window-state.ts), isolated and sandboxed, unable to navigate away or open windows
// (window-policy.ts); the page comes from app://dashboard/ (dashboard-protocol.ts).
import type { BrowserWindowOptions, BrowserWindowPart, Rect } from './electron-parts.ts';
import { DASHBOARD_ORIGIN } from './dashboard-protocol.ts';
import { dashboardWebPreferences, guardContents } from './window-policy.ts';
import { MIN_SIZE, placeWindow, type WindowState } from './window-state.ts';

export type DashboardPage = 'servers' | 'credentials' | 'tools' | 'clients' | 'policy';

export interface DashboardWindowOptions {
  readonly createWindow: (options: BrowserWindowOptions) => BrowserWindowPart;
  readonly preloadPath: string;
  readonly openExternal: (url: string) => void;
  readonly displays: () => readonly Rect[];
  readonly loadState: () => Promise<WindowState | null>;
  readonly saveState: (state: WindowState) => Promise<void>;
  readonly onError: (message: string, error: unknown) => void;
}

/** The address of a page: the renderer routes by the hash, so every page is the same file. */
export function dashboardPageUrl(page?: DashboardPage): string {
  return `${DASHBOARD_ORIGIN}/index.html${page === undefined ? '' : `#/${page}`}`;
}

export class DashboardWindow {
  readonly #o: DashboardWindowOptions;
  #window: BrowserWindowPart | null = null;

  constructor(options: DashboardWindowOptions) {
    this.#o = options;
  }

  /** Brings the window up (creating it when there is none) at `page`, or where it was. */
  async show(page?: DashboardPage): Promise<void> {
    const existing = this.#window;
    if (existing !== null && !existing.isDestroyed()) {
      if (page !== undefined) await existing.loadURL(dashboardPageUrl(page));
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return;
    }
    const saved = await this.#o.loadState();
    const window = this.#o.createWindow({
      title: 'Switchboard',
      ...placeWindow(saved, this.#o.displays()),
      minWidth: MIN_SIZE.width,
      minHeight: MIN_SIZE.height,
      show: false,
      backgroundColor: '#1e1e1e',
      webPreferences: dashboardWebPreferences(this.#o.preloadPath),
    });
    this.#window = window;
    guardContents(window.webContents, DASHBOARD_ORIGIN, this.#o.openExternal);
    window.once('ready-to-show', () => {
      if (saved?.maximized === true) window.maximize();
      window.show();
    });
    window.on('close', () => void this.#save(window));
    window.on('closed', () => {
      if (this.#window === window) this.#window = null;
    });
    await window.loadURL(dashboardPageUrl(page));
  }

  /** Sends `payload` on `channel` to the page, if the window is open. */
  send(channel: string, payload: unknown): void {
    const window = this.#window;
    if (window !== null && !window.isDestroyed()) window.webContents.send(channel, payload);
  }

  /** Closes the window for good (quitting); destroy() skips 'close', so its place is saved here. */
  async close(): Promise<void> {
    const window = this.#window;
    this.#window = null;
    if (window === null || window.isDestroyed()) return;
    await this.#save(window);
    window.destroy();
  }

  async #save(window: BrowserWindowPart): Promise<void> {
    const state = { bounds: window.getNormalBounds(), maximized: window.isMaximized() };
    await this.#o.saveState(state).catch((error: unknown) => this.#o.onError('could not save the window size', error));
  }
}
