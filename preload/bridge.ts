// The preload side of the contract in the Electron app: exposes `window.switchboard`, a `ControlApi`, to the
// isolated renderer through contextBridge. Only these functions cross; the renderer never sees ipcRenderer.
import type { AuditQueryView, ControlApi, ControlEvent, ServerAction } from './contract.ts';
import { IPC_CHANNELS } from './ipc-channels.ts';

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
  return {
    status: () => ipc.invoke(IPC_CHANNELS.status) as ReturnType<ControlApi['status']>,
    serverAction: (name: string, action: ServerAction) =>
      ipc.invoke(IPC_CHANNELS.serverAction, name, action) as ReturnType<ControlApi['serverAction']>,
    audit: (query: AuditQueryView) => ipc.invoke(IPC_CHANNELS.audit, query) as ReturnType<ControlApi['audit']>,
    onEvent: (listener) => {
      ipc.on(IPC_CHANNELS.event, (_event, payload) => listener(payload as ControlEvent));
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
