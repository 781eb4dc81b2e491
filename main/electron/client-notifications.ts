// Notifications about IDE clients: drift found at start (our entry in a client's file no longer works), each with
// Repair, and the outcome of a connect made from the tray. A connect from the tray writes the bridge entry, which
// carries no token, so no notification ever holds one.
import type { ConnectView, IdeClientView } from '../../preload/contract.ts';
import type { AppNotification } from './notification-rules.ts';

/** One notification per stale client: what is wrong and the button that connects it again. */
export function driftNotifications(clients: readonly IdeClientView[]): AppNotification[] {
  return clients
    .filter((c) => c.state === 'stale')
    .map((c) => ({
      id: `client:${c.id}:stale`,
      title: `${c.label} no longer reaches Switchboard`,
      body: `${c.reason ?? 'Its Switchboard entry was changed or its token no longer works'}. Repair writes the entry again.`,
      button: { label: 'Repair', action: { kind: 'connect-client', client: c.id } },
    }));
}

/** What a connect from the tray did, and what the person does next for the client to see it. */
export function connectedNotification(id: string, label: string, result: ConnectView): AppNotification {
  return {
    id: `client:${id}:connect`,
    title: result.changed ? `${label} is connected to Switchboard` : `${label} was already connected`,
    body: result.changed ? `Wrote ${result.file}. ${result.reload}` : result.reload,
  };
}
