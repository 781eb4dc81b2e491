// A keyring nobody unlocks (in a process of its own: the keychain library keeps its first connection).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { KeychainVault } from '../../../main/vault/keychain-vault.ts';
import { skipWithoutSecretService, startSecretService } from '../../helpers/secret-service.ts';

const skip = skipWithoutSecretService();

function vaultOn(env: NodeJS.ProcessEnv): KeychainVault {
  return new KeychainVault({ env, platform: 'linux', uid: process.getuid?.() ?? 0, exists: existsSync });
}

test('a keyring nobody unlocks: locked, with how to unlock it', { skip }, async (t) => {
  // A bus of its own where gnome-keyring is started on demand, locked, and its unlock prompt cannot be shown.
  const home = await mkdtemp(join(tmpdir(), 'switchboard-locked-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  // A first session creates the login keyring with a password and an entry in it; the second one finds the entry
  // locked and cannot show the prompt that would unlock it. (A search that matches nothing needs no unlock.)
  const first = await startSecretService({ home });
  const seeded = spawnSync(
    'secret-tool',
    ['store', '--label=seed', 'service', 'Switchboard', 'username', 'LOCKED_ONE'],
    {
      input: 'seed-value',
      env: { ...first.env, PATH: process.env['PATH'] ?? '' },
    },
  );
  await first.stop();
  assert.equal(seeded.status, 0, `secret-tool store failed: ${seeded.stderr}`);
  // A runtime folder of its own, so the first session's daemon (on its way out) is not found and reused.
  const runtime = join(home, 'second-run');
  await mkdir(runtime, { mode: 0o700 });
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', 'echo "$DBUS_SESSION_BUS_ADDRESS"; exec cat >/dev/null'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: home, XDG_RUNTIME_DIR: runtime, XDG_DATA_HOME: join(home, 'data') },
    stdio: ['pipe', 'pipe', 'ignore'],
    detached: true,
  });
  t.after(() => {
    child.stdin.end();
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // Already gone.
    }
  });
  const address = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout }).once('line', (line) => resolve(line.trim())),
  );
  const result = await vaultOn({ DBUS_SESSION_BUS_ADDRESS: address }).get('LOCKED_ONE');
  assert.ok(!result.ok, 'a locked keyring must not read as "no value"');
  assert.equal(result.error.kind, 'locked', result.error.message);
  assert.match(result.error.message, /locked/);
  assert.match(result.error.message, /gnome-keyring-daemon --unlock/);
});
