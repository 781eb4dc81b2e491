// The tray's cache of the IDE clients: one read shared by concurrent refreshes, the last good list kept when a read
// fails, a change announced only when there is one, re-reads on a timer until closed, and a re-read after every
// control call that rewrites a client's file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Answer, ControlApi, IdeClientView } from '../../../preload/contract.ts';
import { IdeClientWatch, detectedClients, refreshingClients } from '../../../main/electron/ide-clients.ts';

const view = (id: string, state: IdeClientView['state'], label = id): IdeClientView => ({
  id,
  label,
  scope: 'user',
  file: `/home/me/.${id}/mcp.json`,
  state,
});

function fakeApi(answers: Answer<{ clients: readonly IdeClientView[] }>[]) {
  let reads = 0;
  const api = {
    ideClients: async () => {
      const answer = answers[Math.min(reads, answers.length - 1)]!;
      reads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return answer;
    },
  };
  return { api, reads: () => reads };
}

test('installed clients become menu entries with their state; clients not installed are left out', () => {
  assert.deepEqual(
    detectedClients([
      view('cursor', 'not-connected', 'Cursor'),
      view('zed', 'stale', 'Zed'),
      view('vscode', 'connected', 'VS Code'),
      view('windsurf', 'not-installed', 'Windsurf'),
    ]),
    [
      { id: 'cursor', name: 'Cursor', state: 'not-connected' },
      { id: 'zed', name: 'Zed', state: 'stale' },
      { id: 'vscode', name: 'VS Code', state: 'connected' },
    ],
  );
});

test('reads are shared, changes announced once, and a failed read keeps the last list', async () => {
  const first = { ok: true as const, value: { clients: [view('cursor', 'not-connected', 'Cursor')] } };
  const fake = fakeApi([first, first, { ok: false, error: 'HOME is not readable' }]);
  let changes = 0;
  const errors: string[] = [];
  const watch = new IdeClientWatch({
    api: fake.api,
    onChange: () => changes++,
    onError: (message, error) => errors.push(`${message}: ${String(error)}`),
  });
  assert.deepEqual(watch.list(), []);
  assert.equal(watch.label('cursor'), 'cursor', 'the id until the clients are read');
  const [a, b] = await Promise.all([watch.refresh(), watch.refresh()]);
  assert.equal(fake.reads(), 1, 'two refreshes during one read share it');
  assert.equal(a, b);
  assert.equal(changes, 1);
  assert.equal(watch.label('cursor'), 'Cursor');
  await watch.refresh();
  assert.equal(changes, 1, 'the same list again is no change');
  await watch.refresh();
  assert.deepEqual(errors, ['could not read the IDE clients: HOME is not readable']);
  assert.deepEqual(watch.list(), [{ id: 'cursor', name: 'Cursor', state: 'not-connected' }]);
});

test('start reads at once and then on the timer, until closed', async () => {
  const fake = fakeApi([{ ok: true, value: { clients: [] } }]);
  const watch = new IdeClientWatch({ api: fake.api, onChange: () => {}, onError: () => {}, refreshMs: 30 });
  await watch.start();
  assert.equal(fake.reads(), 1);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(fake.reads() >= 3, `read ${fake.reads()} times`);
  watch.close();
  const reads = fake.reads();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(fake.reads() <= reads + 1, 'no more reads after close (one may have been under way)');
});

test('connect, disconnect and import re-read the clients, whatever their answer; other calls do not', async () => {
  const asked: string[] = [];
  const answer = (method: string, ok: boolean) => async () => {
    asked.push(method);
    return ok ? { ok: true, value: null } : { ok: false, error: 'refused' };
  };
  const api = {
    connectClient: answer('connectClient', true),
    disconnectClient: answer('disconnectClient', false),
    importApply: answer('importApply', true),
    status: answer('status', true),
  } as unknown as ControlApi;
  let refreshed = 0;
  const wrapped = refreshingClients(api, () => refreshed++);
  assert.deepEqual(await wrapped.connectClient({ id: 'cursor' }), { ok: true, value: null });
  assert.deepEqual(await wrapped.disconnectClient({ id: 'cursor' }), { ok: false, error: 'refused' });
  await wrapped.importApply({ id: 'cursor', replace: false });
  await wrapped.status({});
  assert.deepEqual(asked, ['connectClient', 'disconnectClient', 'importApply', 'status']);
  assert.equal(refreshed, 3);
});
