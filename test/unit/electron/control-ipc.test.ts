// The contract over Electron IPC, both sides joined in memory: the preload bridge invokes channels that the
// main-process handlers answer. Electron cannot run here, so ipcMain and ipcRenderer are stand-ins that pass
// calls straight across; the core behind the handlers is a recording ControlApi (the real one is tested
// end to end over HTTP in test/e2e/dashboard).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bridgedControlApi } from '../../../preload/bridge.ts';
import {
  CONTROL_METHODS,
  type Answer,
  type ControlApi,
  type ControlEvent,
  type ControlMethod,
} from '../../../preload/contract.ts';
import { EVENT_CHANNEL, callChannel } from '../../../preload/ipc-channels.ts';
import { registerControlIpc, type InvokeEvent } from '../../../main/electron/control-ipc.ts';

const ORIGIN = 'app://dashboard';

/** A ControlApi that records each call and answers with what `answers` holds for it (a refusal otherwise). */
function recordingApi(calls: unknown[][], answers: Partial<Record<ControlMethod, Answer<unknown>>>): ControlApi {
  return Object.fromEntries(
    (Object.keys(CONTROL_METHODS) as ControlMethod[]).map((method) => [
      method,
      async (input: unknown) => {
        calls.push([method, input]);
        return answers[method] ?? { ok: false, error: 'recorded' };
      },
    ]),
  ) as unknown as ControlApi;
}

function joined(senderUrl: string | null) {
  const calls: unknown[][] = [];
  const api = recordingApi(calls, {
    serverAction: { ok: true, value: null },
    audit: { ok: true, value: { events: [], next: null } },
  });
  const handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>>();
  registerControlIpc({ handle: (channel, handler) => handlers.set(channel, handler) }, api, ORIGIN);
  const listeners = new Map<string, (event: unknown, payload: unknown) => void>();
  const event: InvokeEvent = { senderFrame: senderUrl === null ? null : { url: senderUrl } };
  const bridged = bridgedControlApi({
    invoke: (channel, ...args) => handlers.get(channel)!(event, ...args),
    on: (channel, listener) => listeners.set(channel, listener),
  });
  return { bridged, calls, handlers, event, emit: (e: ControlEvent) => listeners.get(EVENT_CHANNEL)!({}, e) };
}

test('every call of the contract has a channel, and nothing else does', () => {
  const { handlers } = joined(`${ORIGIN}/`);
  assert.deepEqual(
    [...handlers.keys()].sort(),
    (Object.keys(CONTROL_METHODS) as ControlMethod[]).map(callChannel).sort(),
  );
});

test('calls from the dashboard reach the core with checked inputs; bad ones are refused by field', async () => {
  const { bridged, calls, handlers, event } = joined(`${ORIGIN}/index.html`);
  assert.deepEqual(await bridged.status({}), { ok: false, error: 'recorded' });
  assert.deepEqual(await bridged.serverAction({ name: 'github', action: 'restart' }), { ok: true, value: null });
  assert.deepEqual(await bridged.audit({ client: 'cursor', limit: 5 }), {
    ok: true,
    value: { events: [], next: null },
  });
  // What a compromised renderer could send past the typed bridge:
  const action = handlers.get(callChannel('serverAction'))!;
  const refusal = (await action(event, { name: 'github', action: 'format-disk' })) as Answer<null>;
  assert.equal(refusal.ok, false);
  assert.match(!refusal.ok ? refusal.error : '', /^serverAction: action: /);
  assert.deepEqual(!refusal.ok ? refusal.problems?.map((p) => p.path) : [], ['action']);
  assert.match(JSON.stringify(await action(event, { name: { x: 1 }, action: 'stop' })), /name: /);
  const audit = handlers.get(callChannel('audit'))!;
  assert.match(JSON.stringify(await audit(event, { limit: 'ten' })), /audit: limit: /);
  assert.match(JSON.stringify(await audit(event, { colour: 'red' })), /colour/);
  assert.match(JSON.stringify(await audit(event, { outcome: 'exploded' })), /audit: outcome: /);
  assert.match(JSON.stringify(await audit(event, 'all')), /audit: /);
  const secret = handlers.get(callChannel('setSecret'))!;
  const badSecret = JSON.stringify(await secret(event, { name: 'k', value: 'hunter2-value', expires: 'soon' }));
  assert.match(badSecret, /expires/);
  assert.doesNotMatch(badSecret, /hunter2-value/, 'a refused secret is never echoed');
  assert.deepEqual(calls, [
    ['status', {}],
    ['serverAction', { name: 'github', action: 'restart' }],
    ['audit', { client: 'cursor', limit: 5 }],
  ]);
});

test('a call from any page but the dashboard is refused before the core sees it', async () => {
  for (const url of ['https://evil.example/', 'file:///tmp/x.html', null]) {
    const { bridged, calls } = joined(url);
    assert.deepEqual(await bridged.serverAction({ name: 'github', action: 'stop' }), {
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
