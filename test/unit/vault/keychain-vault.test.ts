// The keychain vault against a real Secret Service (a private gnome-keyring on a private bus). The library keeps
// its first connection for the life of the process, so each way of being unreachable has a test file (a process)
// of its own: keychain-unreachable.test.ts and keychain-locked.test.ts.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { KeychainVault, describeKeychainError, sessionBusAddress } from '../../../main/vault/keychain-vault.ts';
import { skipWithoutSecretService, startSecretService, type SecretService } from '../../helpers/secret-service.ts';

const skip = skipWithoutSecretService();
let service: SecretService | undefined;

before(async () => {
  if (!skip) service = await startSecretService();
});
after(async () => {
  await service?.stop();
});

function vaultOn(env: NodeJS.ProcessEnv): KeychainVault {
  return new KeychainVault({ env, platform: 'linux', uid: process.getuid?.() ?? 0, exists: existsSync });
}

test('set, get, replace and delete through a real Secret Service', { skip }, async () => {
  const vault = vaultOn({ DBUS_SESSION_BUS_ADDRESS: service!.address });
  const name = `TEST_${process.pid}`;
  assert.deepEqual(await vault.get(name), { ok: true, value: null });
  assert.deepEqual(await vault.set(name, 'first value'), { ok: true, value: undefined });
  assert.deepEqual(await vault.get(name), { ok: true, value: 'first value' });
  assert.deepEqual(await vault.set(name, 'second value'), { ok: true, value: undefined });
  assert.deepEqual(await vault.get(name), { ok: true, value: 'second value' });
  assert.deepEqual(await vault.delete(name), { ok: true, value: true });
  assert.deepEqual(await vault.get(name), { ok: true, value: null });
  assert.deepEqual(await vault.delete(name), { ok: true, value: false });
});

test('T36 no session bus at all: unavailable, naming DBUS_SESSION_BUS_ADDRESS and the file vault', async () => {
  const vault = new KeychainVault({ env: {}, platform: 'linux', uid: 12345, exists: () => false });
  const result = await vault.get('ANY');
  assert.ok(!result.ok && result.error.kind === 'unavailable');
  assert.match(result.error.message, /DBUS_SESSION_BUS_ADDRESS is not set/);
  assert.match(result.error.message, /--vault file/);
});

test('the default bus path is used when the variable is missing, and only when the socket exists', () => {
  const base = { platform: 'linux' as const, uid: 1000 };
  assert.equal(
    sessionBusAddress({ ...base, env: { DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=x' }, exists: () => false }),
    'unix:abstract=x',
  );
  assert.equal(
    sessionBusAddress({ ...base, env: {}, exists: (p) => p === '/run/user/1000/bus' }),
    'unix:path=/run/user/1000/bus',
  );
  assert.equal(
    sessionBusAddress({ ...base, env: { XDG_RUNTIME_DIR: '/tmp/rt' }, exists: (p) => p === '/tmp/rt/bus' }),
    'unix:path=/tmp/rt/bus',
  );
  assert.equal(sessionBusAddress({ ...base, env: {}, exists: () => false }), null);
});

test('library errors become messages a person can act on', () => {
  const missing = describeKeychainError(
    new Error(
      'org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files',
    ),
    'linux',
  );
  assert.equal(missing.kind, 'unavailable');
  assert.match(missing.message, /gnome-keyring/);
  const locked = describeKeychainError(
    new Error("Couldn't access platform storage: Secret Service: unlock prompt was dismissed"),
    'linux',
  );
  assert.equal(locked.kind, 'locked');
  const other = describeKeychainError(new Error('something odd'), 'darwin');
  assert.equal(other.kind, 'failed');
  assert.match(other.message, /something odd/);
});
