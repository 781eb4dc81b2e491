// The main-process side of the contract in the Electron app: answers the bridge's IPC calls with the core's
// ControlApi. What arrives over IPC comes from a renderer and is checked like any outside input: the sender must
// be the dashboard's own page, and the input passes the same validators as the HTTP form's.
import { CONTROL_METHODS, type Answer, type ControlApi, type ControlMethod } from '../../preload/contract.ts';
import { callChannel } from '../../preload/ipc-channels.ts';
import { invokeControl } from '../dashboard/control-inputs.ts';
import { isDashboardUrl } from './window-policy.ts';

/** The part of Electron's IpcMainInvokeEvent the handlers look at. */
export interface InvokeEvent {
  readonly senderFrame: { readonly url: string } | null;
}

/** The part of Electron's ipcMain the handlers use. */
export interface IpcMainLike {
  handle(channel: string, handler: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
}

const NOT_DASHBOARD: Answer<never> = { ok: false, error: 'refused: the request did not come from the dashboard' };

export function registerControlIpc(ipcMain: IpcMainLike, api: ControlApi, dashboardOrigin: string): void {
  const from = (event: InvokeEvent): boolean =>
    event.senderFrame !== null && isDashboardUrl(event.senderFrame.url, dashboardOrigin);
  for (const method of Object.keys(CONTROL_METHODS) as ControlMethod[]) {
    ipcMain.handle(callChannel(method), async (event, input) =>
      from(event) ? invokeControl(api, method, input) : NOT_DASHBOARD,
    );
  }
}
