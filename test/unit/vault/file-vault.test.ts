// The encrypted file vault on real files: what is on disk, what a wrong passphrase or an edited file does.
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileVault } from '../../../main/vault/file-vault.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

/** Lower scrypt cost than the default so the suite stays quick; the code path is the same. */
const KDF = { N: 2 ** 14, r: 8, p: 1 };
const CANARY = 'canary-value-7f3a9c1e';

function vaultAt(path: string, passphrase: string | null): FileVault {
  return new FileVault({ path, passphrase: async () => passphrase, kdf: KDF });
}

test('values round-trip; the file holds no plaintext in any spelling and is private to the user', async (t) => {
  const path = join(await makeTempDir(t), 'vault.enc');
  const vault = vaultAt(path, 'correct horse');
  assert.deepEqual(await vault.set('GH', CANARY), { ok: true, value: undefined });
  assert.deepEqual(await vault.set('OTHER', 'second'), { ok: true, value: undefined });
  assert.deepEqual(await vault.get('GH'), { ok: true, value: CANARY });
  assert.deepEqual(await vaultAt(path, 'correct horse').get('OTHER'), { ok: true, value: 'second' });
  assert.deepEqual(await vault.get('MISSING'), { ok: true, value: null });
  const bytes = await readFile(path);
  for (const spelling of [CANARY, Buffer.from(CANARY).toString('base64').replace(/=+$/, ''), 'GH"']) {
    assert.equal(bytes.includes(spelling), false, `found ${spelling} in the file`);
  }
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(await vault.delete('GH'), { ok: true, value: true });
  assert.deepEqual(await vault.delete('GH'), { ok: true, value: false });
  assert.deepEqual(await vaultAt(path, 'correct horse').get('GH'), { ok: true, value: null });
});

test('a wrong passphrase does not open the vault and changes nothing', async (t) => {
  const path = join(await makeTempDir(t), 'vault.enc');
  await vaultAt(path, 'right').set('GH', CANARY);
  const before = await readFile(path);
  const wrong = vaultAt(path, 'wrong');
  const read = await wrong.get('GH');
  assert.ok(!read.ok && read.error.kind === 'locked');
  assert.match(read.error.message, /passphrase is wrong/);
  const write = await wrong.set('GH', 'overwrite');
  assert.ok(!write.ok);
  assert.deepEqual(await readFile(path), before);
});

test('an edited file is refused: ciphertext or authenticated header', async (t) => {
  const path = join(await makeTempDir(t), 'vault.enc');
  await vaultAt(path, 'pw').set('GH', CANARY);
  const file = JSON.parse(await readFile(path, 'utf8'));
  const flipped = Buffer.from(file.data, 'base64');
  flipped[0] = flipped[0]! ^ 1;
  await writeFile(path, JSON.stringify({ ...file, data: flipped.toString('base64') }));
  const tampered = await vaultAt(path, 'pw').get('GH');
  assert.ok(!tampered.ok && tampered.error.kind === 'locked');

  await writeFile(path, JSON.stringify({ ...file, header: { ...file.header, kdf: { ...file.header.kdf, r: 9 } } }));
  const header = await vaultAt(path, 'pw').get('GH');
  assert.ok(!header.ok, 'a header changed after sealing must not open');

  await writeFile(path, '{ not json');
  const broken = await vaultAt(path, 'pw').get('GH');
  assert.ok(!broken.ok && broken.error.kind === 'failed' && /not JSON/.test(broken.error.message));
});

test('without a passphrase the failure says where to give one', async (t) => {
  const path = join(await makeTempDir(t), 'vault.enc');
  await vaultAt(path, 'pw').set('GH', CANARY);
  const result = await vaultAt(path, null).get('GH');
  assert.ok(!result.ok && result.error.kind === 'unavailable');
  assert.match(result.error.message, /SWITCHBOARD_VAULT_PASSPHRASE/);
});

test('sets in parallel from one process all land', async (t) => {
  const path = join(await makeTempDir(t), 'vault.enc');
  const vault = vaultAt(path, 'pw');
  const names = Array.from({ length: 8 }, (_, i) => `K${i}`);
  const results = await Promise.all(names.map((name) => vault.set(name, `value-${name}`)));
  assert.ok(results.every((r) => r.ok));
  const fresh = vaultAt(path, 'pw');
  for (const name of names) assert.deepEqual(await fresh.get(name), { ok: true, value: `value-${name}` });
});
