// OS notifications from the rules in notification-rules.ts, each with the button that fixes what it reports
// (Restart, Log in, Rotate). Buttons on a notification exist on macOS only; everywhere a click on the
// notification runs the same fix. A repeat of one event replaces its notification rather than stacking.
import type { StatusReport } from '../core/status-report.ts';
import type { NotificationPart, NotificationOptions } from './electron-parts.ts';
import type { ControlEvent } from '../../preload/contract.ts';
import { notificationForEvent } from './event-notifications.ts';
import { notificationsFor, type AppNotification } from './notification-rules.ts';
import type { TrayAction } from './tray-actions.ts';

export interface NotifierOptions {
  readonly notifications: { isSupported(): boolean; create(options: NotificationOptions): NotificationPart };
  readonly run: (action: TrayAction) => void;
  /** Button actions are shown on macOS; elsewhere Electron ignores them, and the click does the fix. */
  readonly platform: NodeJS.Platform;
}

export class Notifier {
  readonly #o: NotifierOptions;
  #previous: StatusReport | null = null;
  readonly #shown = new Map<string, NotificationPart>();

  constructor(options: NotifierOptions) {
    this.#o = options;
  }

  /** Notifies what changed since the last report (at the first one: only what needs a person). */
  update(report: StatusReport): void {
    const notes = notificationsFor(this.#previous, report);
    this.#previous = report;
    if (!this.#o.notifications.isSupported()) return;
    for (const note of notes) this.#show(note);
  }

  /** Notifies an event the core pushed (a client's first connection), when it deserves one. */
  event(event: ControlEvent): void {
    const note = notificationForEvent(event);
    if (note !== null && this.#o.notifications.isSupported()) this.#show(note);
  }

  /** Shows a notification the shell made itself (a client's drift, a connect's outcome). */
  notify(note: AppNotification): void {
    if (this.#o.notifications.isSupported()) this.#show(note);
  }

  #show(note: AppNotification): void {
    this.#shown.get(note.id)?.close();
    const button = note.button;
    const notification = this.#o.notifications.create({
      title: note.title,
      body:
        button === undefined || this.#o.platform === 'darwin'
          ? note.body
          : `${note.body} Click to ${button.label.toLowerCase()}.`,
      ...(button !== undefined && this.#o.platform === 'darwin'
        ? { actions: [{ type: 'button', text: button.label }] }
        : {}),
    });
    if (button !== undefined) {
      notification.on('click', () => this.#o.run(button.action));
      notification.on('action', () => this.#o.run(button.action));
    } else {
      notification.on('click', () => this.#o.run({ kind: 'open-dashboard' }));
    }
    this.#shown.set(note.id, notification);
    notification.show();
  }

  close(): void {
    for (const notification of this.#shown.values()) notification.close();
    this.#shown.clear();
  }
}
