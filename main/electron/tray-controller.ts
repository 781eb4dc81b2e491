// The tray icon as the core's state changes: its colour and tooltip (tray-health.ts) and its menu (tray-menu.ts),
// turned into Electron's menu template. Refreshes are coalesced: a burst of state events (every server starting
// at once) rebuilds the menu once.
import type { StatusReport } from '../core/status-report.ts';
import type { MenuItemOptions, TrayImage, TrayPart } from './electron-parts.ts';
import type { TrayAction } from './tray-actions.ts';
import { trayLook, type TrayHealth } from './tray-health.ts';
import { trayMenu, type DetectedClient, type MenuEntry } from './tray-menu.ts';

/** Electron's menu template for the entries; a click runs the entry's action. */
export function menuTemplate(entries: readonly MenuEntry[], run: (action: TrayAction) => void): MenuItemOptions[] {
  return entries.map((entry): MenuItemOptions => {
    if (entry.type === 'separator') return { type: 'separator' };
    const { action } = entry;
    return {
      label: entry.label,
      enabled: entry.enabled,
      ...(entry.checked === undefined ? {} : { type: 'checkbox', checked: entry.checked }),
      ...(action === undefined ? {} : { click: () => run(action) }),
      ...(entry.submenu === undefined ? {} : { submenu: menuTemplate(entry.submenu, run) }),
    };
  });
}

export interface TrayControllerOptions {
  readonly tray: TrayPart;
  readonly icon: (health: TrayHealth) => TrayImage;
  readonly buildMenu: (template: MenuItemOptions[]) => unknown;
  readonly status: () => StatusReport;
  readonly paused: () => boolean;
  readonly clients: () => readonly DetectedClient[];
  readonly openAtLogin: () => boolean | undefined;
  readonly run: (action: TrayAction) => void;
  /** Called with each new report after the tray shows it (notifications look at the same reports). */
  readonly onReport?: (report: StatusReport) => void;
  readonly delayMs?: number;
}

export class TrayController {
  readonly #o: TrayControllerOptions;
  #timer: NodeJS.Timeout | null = null;
  #health: TrayHealth | null = null;
  #closed = false;

  constructor(options: TrayControllerOptions) {
    this.#o = options;
  }

  /** Shows the current state now. */
  render(): void {
    if (this.#closed) return;
    const o = this.#o;
    const report = o.status();
    const paused = o.paused();
    const look = trayLook(report, paused);
    if (look.health !== this.#health) o.tray.setImage(o.icon(look.health));
    this.#health = look.health;
    o.tray.setToolTip(look.tooltip);
    const openAtLogin = o.openAtLogin();
    const entries = trayMenu({
      report,
      paused,
      clients: o.clients(),
      ...(openAtLogin === undefined ? {} : { openAtLogin }),
    });
    o.tray.setContextMenu(o.buildMenu(menuTemplate(entries, o.run)));
    o.onReport?.(report);
  }

  /** Shows the state soon, once for any number of calls in the meantime. */
  refresh(): void {
    if (this.#timer !== null || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.render();
    }, this.#o.delayMs ?? 150);
  }

  /** While quitting: a tooltip that says so, and no more refreshes. */
  quitting(): void {
    this.#o.tray.setToolTip('Switchboard: stopping servers…');
    this.close();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
