// The Electron form: `window.switchboard`, exposed by preload/bridge.ts through contextBridge. IPC needs no
// session and its events flow from the start, so the link is live at once.
import type { ControlApi, ControlEvent } from '../../../preload/contract.ts';
import { Listeners, type ConnectionState, type DashboardClient } from './dashboard-client.ts';

/** What the preload bridge puts on `window.switchboard`. */
export type BridgedApi = ControlApi & { onEvent(listener: (event: ControlEvent) => void): void };

export function electronClient(bridge: BridgedApi): DashboardClient {
  const events = new Listeners<ControlEvent>();
  let open = true;
  // The bridge has no way to remove a listener, so one is registered for good and fans out to ours.
  bridge.onEvent((event) => {
    if (open) events.emit(event);
  });
  return {
    api: bridge,
    onEvent: (listener) => events.add(listener),
    onConnection: (listener: (state: ConnectionState) => void) => {
      listener('live');
      return () => {};
    },
    close: () => {
      open = false;
    },
  };
}
