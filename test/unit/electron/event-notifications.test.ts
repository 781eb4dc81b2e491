import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notificationForEvent } from '../../../main/electron/event-notifications.ts';

test('T28 a changed tool definition becomes a notification whose Review button opens the Tools page', () => {
  const note = notificationForEvent({ type: 'tool-definition-changed', server: 'notes', tool: 'search' });
  assert.equal(note?.id, 'tool:notes:search:changed');
  assert.equal(note?.title, 'notes changed its tool search');
  assert.match(note!.body, /hidden from every client until you review the change/);
  assert.deepEqual(note?.button, { label: 'Review', action: { kind: 'open-dashboard', page: 'tools' } });
});
