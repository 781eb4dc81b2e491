// First sightings of clients: announced once per name across restarts, from opened sessions and requests only;
// the dashboard's own calls and refused connections are not a client connecting.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ClientSightings } from '../../../main/core/client-sightings.ts';
import { notificationForEvent } from '../../../main/electron/event-notifications.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

test('a client is announced the first time it connects, once, and remembered across restarts', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'clients-seen.json');
  const first: string[] = [];
  const sightings = new ClientSightings(path, (client) => first.push(client));
  sightings.observe({ kind: 'auth', method: 'session-opened', outcome: 'ok', client: 'cursor' });
  sightings.observe({ kind: 'request', method: 'tools/call', outcome: 'ok', client: 'cursor' });
  sightings.observe({ kind: 'auth', outcome: 'unauthenticated', client: 'mallory' });
  sightings.observe({ kind: 'request', method: 'tools/call', outcome: 'ok', client: 'dashboard' });
  sightings.observe({ kind: 'request', method: 'tools/call', outcome: 'denied', client: 'claude-code' });
  assert.deepEqual(first, ['cursor', 'claude-code']);
  await sightings.flushed();
  const saved = JSON.parse(await readFile(path, 'utf8')) as { clients: Record<string, string> };
  assert.deepEqual(Object.keys(saved.clients).sort(), ['claude-code', 'cursor']);

  const again: string[] = [];
  const restarted = new ClientSightings(path, (client) => again.push(client));
  restarted.observe({ kind: 'auth', method: 'session-opened', outcome: 'ok', client: 'cursor' });
  restarted.observe({ kind: 'auth', method: 'session-opened', outcome: 'ok', client: 'zed' });
  assert.deepEqual(again, ['zed']);
});

test('a damaged list starts empty instead of failing the core', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'clients-seen.json');
  await writeFile(path, '{"version": 1, "clients": [');
  const first: string[] = [];
  const sightings = new ClientSightings(path, (client) => first.push(client));
  sightings.observe({ kind: 'auth', method: 'session-opened', outcome: 'ok', client: 'cursor' });
  assert.deepEqual(first, ['cursor']);
  await sightings.flushed();
  assert.ok(sightings.has('cursor'));
  assert.match(await readFile(path, 'utf8'), /"cursor"/);
});

test('the first sighting becomes a notification whose button reviews the clients', () => {
  const note = notificationForEvent({ type: 'client-first-seen', client: 'cursor' });
  assert.equal(note?.title, 'cursor connected for the first time');
  assert.deepEqual(note?.button?.action, { kind: 'open-dashboard', page: 'clients' });
  assert.equal(notificationForEvent({ type: 'catalog', server: 'fs' }), null);
});
