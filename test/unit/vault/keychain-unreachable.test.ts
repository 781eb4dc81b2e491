// A bus address that leads nowhere (in a process of its own: the keychain library keeps its first connection).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { KeychainVault } from '../../../main/vault/keychain-vault.ts';

function vaultOn(env: NodeJS.ProcessEnv): KeychainVault {
  return new KeychainVault({ env, platform: 'linux', uid: process.getuid?.() ?? 0, exists: existsSync });
}

test('T36 a bus address that leads nowhere: unavailable, not a crash', async () => {
  const vault = vaultOn({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/switchboard-test-bus' });
  const result = await vault.get('ANY');
  assert.ok(!result.ok, 'a dead bus must not read as "no value"');
  assert.equal(result.error.kind, 'unavailable', result.error.message);
  assert.match(
    result.error.message,
    /keychain is not reachable: the D-Bus session bus at \/nonexistent\/switchboard-test-bus does not answer/,
  );
});
