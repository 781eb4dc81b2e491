// Chooses the transport: the Electron bridge when the preload exposed one, else HTTP + WebSocket to the origin
// that served the page (`switchboard serve`).
import type { DashboardClient } from './dashboard-client.ts';
import { electronClient, type BridgedApi } from './electron-client.ts';
import { httpClient } from './http-client.ts';

export function pickClient(win: Window & { switchboard?: BridgedApi }): DashboardClient {
  if (win.switchboard !== undefined) return electronClient(win.switchboard);
  return httpClient({ origin: win.location.origin });
}
