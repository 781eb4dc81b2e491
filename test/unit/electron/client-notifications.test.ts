// Notifications about IDE clients: each stale client is announced with Repair (a connect), a connect's outcome
// says what was written and what to do next.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectedNotification, driftNotifications } from '../../../main/electron/client-notifications.ts';

test('each stale client gets a notification whose button repairs it; others get none', () => {
  const notes = driftNotifications([
    { id: 'zed', label: 'Zed', scope: 'user', file: '/z', state: 'stale', reason: 'its token was revoked' },
    { id: 'cline', label: 'Cline', scope: 'user', file: '/c', state: 'stale' },
    { id: 'cursor', label: 'Cursor', scope: 'user', file: '/cu', state: 'connected' },
    { id: 'vscode', label: 'VS Code', scope: 'user', file: '/v', state: 'not-connected' },
  ]);
  assert.deepEqual(
    notes.map((n) => [n.id, n.title, n.body, n.button]),
    [
      [
        'client:zed:stale',
        'Zed no longer reaches Switchboard',
        'its token was revoked. Repair writes the entry again.',
        { label: 'Repair', action: { kind: 'connect-client', client: 'zed' } },
      ],
      [
        'client:cline:stale',
        'Cline no longer reaches Switchboard',
        'Its Switchboard entry was changed or its token no longer works. Repair writes the entry again.',
        { label: 'Repair', action: { kind: 'connect-client', client: 'cline' } },
      ],
    ],
  );
});

test('a connect says what it wrote and how the client picks it up', () => {
  const written = connectedNotification('cursor', 'Cursor', {
    file: '/home/me/.cursor/mcp.json',
    changed: true,
    backup: '/home/me/.cursor/mcp.json.bak',
    reload: 'Restart Cursor to load it.',
  });
  assert.deepEqual(written, {
    id: 'client:cursor:connect',
    title: 'Cursor is connected to Switchboard',
    body: 'Wrote /home/me/.cursor/mcp.json. Restart Cursor to load it.',
  });
  const same = connectedNotification('cursor', 'Cursor', {
    file: '/home/me/.cursor/mcp.json',
    changed: false,
    backup: null,
    reload: 'Restart Cursor to load it.',
  });
  assert.equal(same.title, 'Cursor was already connected');
});
