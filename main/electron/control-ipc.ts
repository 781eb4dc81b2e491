// The main-process side of the contract in the Electron app: answers the bridge's IPC calls with the core's
// ControlApi. What arrives over IPC comes from a renderer and is checked like any outside input: the sender must
// be the dashboard's own page, and every argument is validated before the core sees it.
import type { Answer, ControlApi, ServerAction } from '../../preload/contract.ts';
import { IPC_CHANNELS } from '../../preload/ipc-channels.ts';
import { auditQueryOf } from '../dashboard/dashboard-http.ts';
import { isDashboardUrl } from './window-policy.ts';

/** The part of Electron's IpcMainInvokeEvent the handlers look at. */
export interface InvokeEvent {
  readonly senderFrame: { readonly url: string } | null;
}

/** The part of Electron's ipcMain the handlers use. */
export interface IpcMainLike {
  handle(channel: string, handler: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
}

const ACTIONS: readonly ServerAction[] = ['start', 'stop', 'restart'];

function refused(error: string): Answer<never> {
  return { ok: false, error };
}

export function registerControlIpc(ipcMain: IpcMainLike, api: ControlApi, dashboardOrigin: string): void {
  const from = (event: InvokeEvent): boolean =>
    event.senderFrame !== null && isDashboardUrl(event.senderFrame.url, dashboardOrigin);
  const notDashboard = refused('refused: the request did not come from the dashboard');

  ipcMain.handle(IPC_CHANNELS.status, async (event) => (from(event) ? api.status() : notDashboard));
  ipcMain.handle(IPC_CHANNELS.serverAction, async (event, name, action) => {
    if (!from(event)) return notDashboard;
    if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
      return refused('serverAction: name must be a server name of 1 to 256 characters');
    }
    if (!ACTIONS.includes(action as ServerAction)) {
      return refused(`serverAction: action must be one of ${ACTIONS.join(', ')}`);
    }
    return api.serverAction(name, action as ServerAction);
  });
  ipcMain.handle(IPC_CHANNELS.audit, async (event, query) => {
    if (!from(event)) return notDashboard;
    if (typeof query !== 'object' || query === null || Array.isArray(query)) {
      return refused('audit: the query must be an object of filters');
    }
    // The same checks as the HTTP form, so both transports accept and refuse the same queries.
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (typeof value !== 'string' && typeof value !== 'number')
        return refused(`audit: ${key} must be text or a number`);
      params.set(key, String(value));
    }
    const checked = auditQueryOf(params);
    return checked.ok ? api.audit(checked.value) : refused(`audit: ${checked.error}`);
  });
}
