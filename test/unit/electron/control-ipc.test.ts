// The contract over Electron IPC, both sides joined in memory: the preload bridge invokes channels that the
// main-process handlers answer. Electron cannot run here, so ipcMain and ipcRenderer are stand-ins that pass
// calls straight across; the core behind the handlers is a recording ControlApi (the real one is tested
// end to end over HTTP in test/e2e/dashboard).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bridgedControlApi } from '../../../preload/bridge.ts';
import type { AuditQueryView, ControlApi, ControlEvent } from '../../../preload/contract.ts';
import { IPC_CHANNELS } from '../../../preload/ipc-channels.ts';
import { registerControlIpc, type InvokeEvent } from '../../../main/electron/control-ipc.ts';

const ORIGIN = 'app://dashboard';

function joined(senderUrl: string | null) {
  const calls: unknown[][] = [];
  const api: ControlApi = {
    status: async () => {
      calls.push(['status']);
      return { ok: false, error: 'recorded' };
    },
    serverAction: async (name, action) => {
      calls.push(['serverAction', name, action]);
      return { ok: true, value: null };
    },
    audit: async (query: AuditQueryView) => {
      calls.push(['audit', query]);
      return { ok: true, value: { events: [], next: null } };
    },
  };
  const handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>>();
  registerControlIpc({ handle: (channel, handler) => handlers.set(channel, handler) }, api, ORIGIN);
  const listeners = new Map<string, (event: unknown, payload: unknown) => void>();
  const event: InvokeEvent = { senderFrame: senderUrl === null ? null : { url: senderUrl } };
  const bridged = bridgedControlApi({
    invoke: (channel, ...args) => handlers.get(channel)!(event, ...args),
    on: (channel, listener) => listeners.set(channel, listener),
  });
  return { bridged, calls, handlers, event, emit: (e: ControlEvent) => listeners.get(IPC_CHANNELS.event)!({}, e) };
}

test('calls from the dashboard reach the core with checked arguments; bad ones are refused by name', async () => {
  const { bridged, calls, handlers, event } = joined(`${ORIGIN}/index.html`);
  assert.deepEqual(await bridged.status(), { ok: false, error: 'recorded' });
  assert.deepEqual(await bridged.serverAction('github', 'restart'), { ok: true, value: null });
  assert.deepEqual(await bridged.audit({ client: 'cursor', limit: 5 }), {
    ok: true,
    value: { events: [], next: null },
  });
  // What a compromised renderer could send past the typed bridge:
  const action = handlers.get(IPC_CHANNELS.serverAction)!;
  assert.match(
    JSON.stringify(await action(event, 'github', 'format-disk')),
    /action must be one of start, stop, restart/,
  );
  assert.match(JSON.stringify(await action(event, { name: 'x' }, 'stop')), /name must be a server name/);
  const audit = handlers.get(IPC_CHANNELS.audit)!;
  assert.match(JSON.stringify(await audit(event, { limit: 'ten' })), /audit: limit must be a whole number/);
  assert.match(JSON.stringify(await audit(event, { colour: 'red' })), /unknown audit filter: colour/);
  assert.match(JSON.stringify(await audit(event, { client: { $ne: 1 } })), /client must be text or a number/);
  assert.match(JSON.stringify(await audit(event, null)), /query must be an object/);
  assert.deepEqual(calls, [
    ['status'],
    ['serverAction', 'github', 'restart'],
    ['audit', { client: 'cursor', limit: 5 }],
  ]);
});

test('a call from any page but the dashboard is refused before the core sees it', async () => {
  for (const url of ['https://evil.example/', 'file:///tmp/x.html', null]) {
    const { bridged, calls } = joined(url);
    assert.deepEqual(await bridged.serverAction('github', 'stop'), {
      ok: false,
      error: 'refused: the request did not come from the dashboard',
    });
    assert.deepEqual(calls, []);
  }
});

test('events from the core reach the page’s listener in order', () => {
  const { bridged, emit } = joined(`${ORIGIN}/`);
  const seen: string[] = [];
  bridged.onEvent((e) => seen.push(e.type === 'server-state' ? `${e.server}:${e.state.state}` : e.type));
  emit({ type: 'server-state', server: 'fs', state: { state: 'starting' } });
  emit({ type: 'server-state', server: 'fs', state: { state: 'running' } });
  assert.deepEqual(seen, ['fs:starting', 'fs:running']);
});
