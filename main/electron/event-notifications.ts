// Notifications for events the core pushes (rather than states it reports): a client connecting for the first
// time is worth a look, since a token that reaches the gateway from an unexpected client is how a leak shows; a
// tool whose definition changed since approval is hidden until someone reviews the change (T28).
import type { ControlEvent } from '../../preload/contract.ts';
import type { AppNotification } from './notification-rules.ts';

export function notificationForEvent(event: ControlEvent): AppNotification | null {
  if (event.type === 'client-first-seen') {
    return {
      id: `client:${event.client}:first`,
      title: `${event.client} connected for the first time`,
      body: 'If you did not set this client up, revoke its token on the Clients page.',
      button: { label: 'Review', action: { kind: 'open-dashboard', page: 'clients' } },
    };
  }
  if (event.type === 'tool-definition-changed') {
    return {
      id: `tool:${event.server}:${event.tool}:changed`,
      title: `${event.server} changed its tool ${event.tool}`,
      body: 'The tool is hidden from every client until you review the change and approve it.',
      button: { label: 'Review', action: { kind: 'open-dashboard', page: 'tools' } },
    };
  }
  return null;
}
