// T36: with no keychain to reach, servers that need a secret are blocked naming the keychain, the CLI says what is
// missing, and nothing falls back to a plaintext file. (A process of its own: the keychain library keeps its first
// connection for the life of the process.)
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { before, test } from 'node:test';
import { fixtureServer, startHarness } from '../../helpers/gateway-harness.ts';
import { runCliInProcess } from '../gateway/support.ts';
import { filesHolding } from './support.ts';

before(() => {
  process.env['DBUS_SESSION_BUS_ADDRESS'] = 'unix:path=/nonexistent/switchboard-no-bus';
});

test('T36 keychain unreachable: blocked: keychain, a clear CLI error, no plaintext anywhere', async () => {
  const h = await startHarness({
    servers: {
      needs: { ...fixtureServer('echo'), env: { FIXTURE_TOKEN: '${secret:NEEDED}' } },
      plain: fixtureServer('echo'),
    },
  });
  try {
    const blocked = await h.waitForState('needs', (s) => s.state === 'blocked');
    assert.ok(blocked.state === 'blocked' && blocked.reason === 'keychain');
    assert.match(blocked.message, /secret "NEEDED" could not be read: the OS keychain is not reachable/);
    await h.waitForState('plain', (s) => s.state === 'running');

    const value = 'would-be-plaintext-1234';
    const set = await runCliInProcess(['secret', 'set', 'NEEDED', '--data-dir', h.dataDir], {}, value);
    assert.equal(set.code, 1);
    assert.match(set.err, /the OS keychain is not reachable/);
    assert.match(set.err, /--vault file/);
    const files = await readdir(h.dataDir, { recursive: true });
    assert.equal(files.includes('vault.enc'), false, 'no vault file appears by itself');
    assert.deepEqual(await filesHolding(h.dataDir, [value]), []);
    assert.equal(h.core.supervisor.get('needs')!.state.state, 'blocked');
  } finally {
    await h.close();
  }
});
