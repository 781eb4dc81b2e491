// The preload side of the contract in the Electron app: exposes `window.switchboard`, a `ControlApi`, to the
// isolated renderer through contextBridge. Only these functions cross; the renderer never sees ipcRenderer.
import { CONTROL_METHODS, type ControlApi, type ControlEvent, type ControlMethod } from './contract.ts';
import { EVENT_CHANNEL, callChannel } from './ipc-channels.ts';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

export interface BridgedApi extends ControlApi {
  /** Calls `listener` with every event from the core. */
  onEvent(listener: (event: ControlEvent) => void): void;
}

export function bridgedControlApi(ipc: IpcRendererLike): BridgedApi {
  const calls = Object.fromEntries(
    (Object.keys(CONTROL_METHODS) as ControlMethod[]).map((method) => [
      method,
      (input: unknown) => ipc.invoke(callChannel(method), input),
    ]),
  ) as unknown as ControlApi;
  return {
    ...calls,
    onEvent: (listener) => {
      ipc.on(EVENT_CHANNEL, (_event, payload) => listener(payload as ControlEvent));
    },
  };
}

/** Run by the preload script: `contextBridge.exposeInMainWorld('switchboard', …)`. */
export function exposeControlApi(
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void },
  ipcRenderer: IpcRendererLike,
): void {
  contextBridge.exposeInMainWorld('switchboard', bridgedControlApi(ipcRenderer));
}
