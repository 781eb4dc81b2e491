// The preload a sandboxed window runs must be one CommonJS file that requires nothing but `electron`: built here
// with `npm run build:preload`'s script and run in a bare context with a fake `electron` (the Electron binary
// cannot run here), it exposes the contract's API through contextBridge and calls over IPC.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { CONTROL_METHODS } from '../../../preload/contract.ts';
import { callChannel } from '../../../preload/ipc-channels.ts';

const REPO = new URL('../../../', import.meta.url).pathname;

test('build:preload makes one CommonJS file that needs only electron and exposes the control API', async () => {
  execFileSync(process.execPath, ['build/build-preload.ts'], { cwd: REPO, stdio: 'pipe' });
  const code = readFileSync(`${REPO}dist/preload/electron-preload.cjs`, 'utf8');
  const required: string[] = [];
  const exposed = new Map<string, Record<string, (input?: unknown) => Promise<unknown>>>();
  const invoked: unknown[][] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: never) => void exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => (invoked.push(args), { ok: true, value: null }),
      on: () => {},
    },
  };
  const module = { exports: {} };
  runInNewContext(code, {
    module,
    exports: module.exports,
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`the preload required ${name}`);
      return electron;
    },
  });
  assert.deepEqual([...new Set(required)], ['electron']);
  const api = exposed.get('switchboard');
  assert.ok(api);
  assert.deepEqual(Object.keys(api).sort(), [...Object.keys(CONTROL_METHODS), 'onEvent'].sort());
  await api['status']!({});
  assert.deepEqual(invoked, [[callChannel('status'), {}]]);
});
