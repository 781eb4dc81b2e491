// The contract's Electron form: one IPC channel per call (`switchboard:<method>`) and one for events. The preload
// bridge invokes them; the main process answers them (main/electron/control-ipc.ts) with the same values the HTTP
// form returns.
import type { ControlMethod } from './contract.ts';

export function callChannel(method: ControlMethod): string {
  return `switchboard:${method}`;
}

export const EVENT_CHANNEL = 'switchboard:event';
