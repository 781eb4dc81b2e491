import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { TokenStore } from '../../../../main/gateway/auth/token-store.ts';
import { makeTempDir } from '../../../helpers/temp-dir.ts';

test('a revoke written by another store is seen by the next verify, before any file watcher fires', async (t) => {
  const path = join(await makeTempDir(t), 'tokens.json');
  const gateway = new TokenStore(path);
  const created = await gateway.create('ide');
  assert.ok(created.ok);
  assert.equal(gateway.verify(created.value.token, 'client').ok, true);
  let changes = 0;
  gateway.on('change', () => (changes += 1));

  const cli = new TokenStore(path);
  assert.ok((await cli.revoke('ide')).ok);
  assert.deepEqual(gateway.verify(created.value.token, 'client'), { ok: false, reason: 'revoked' });
  assert.equal(changes, 1, 'the re-read is announced, so sessions of the token can be closed');
  assert.equal(gateway.isActive(created.value.info.id), false);
});

test('a watched store, which does not stat its file on every verify, still sees a revoke by another store', async (t) => {
  const path = join(await makeTempDir(t), 'tokens.json');
  const gateway = new TokenStore(path);
  t.after(() => gateway.close());
  const created = await gateway.create('ide');
  assert.ok(created.ok);
  gateway.watch();
  assert.equal(gateway.verify(created.value.token, 'client').ok, true);
  assert.ok((await new TokenStore(path).revoke('ide')).ok);
  // The watcher's event marks the file for the next verify; a check every RECHECK_MS covers a lost event.
  const deadline = Date.now() + 5_000;
  let verdict = gateway.verify(created.value.token, 'client');
  while (verdict.ok && Date.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
    verdict = gateway.verify(created.value.token, 'client');
  }
  assert.deepEqual(verdict, { ok: false, reason: 'revoked' });
});

test('a secret that verified once is not a pass: revocation, expiry and a wrong secret still refuse', async (t) => {
  const path = join(await makeTempDir(t), 'tokens.json');
  const store = new TokenStore(path);
  const expiresAt = new Date(Date.now() + 60_000);
  const created = await store.create('ide', 'client', { expiresAt });
  assert.ok(created.ok);
  const { token } = created.value;
  assert.equal(store.verify(token, 'client').ok, true);
  const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
  assert.deepEqual(store.verify(wrong, 'client'), { ok: false, reason: 'unknown' });
  assert.deepEqual(store.verify(token, 'client', expiresAt.getTime()), { ok: false, reason: 'expired' });
  assert.equal(store.verify(token, 'client').ok, true);
  assert.ok((await store.revoke('ide')).ok);
  assert.deepEqual(store.verify(token, 'client'), { ok: false, reason: 'revoked' });
});

test('an expired token is refused and no longer active; its name can be used again', async (t) => {
  const path = join(await makeTempDir(t), 'tokens.json');
  const store = new TokenStore(path);
  const expiresAt = new Date(Date.now() + 60_000);
  const created = await store.create('ci', 'client', { expiresAt });
  assert.ok(created.ok);
  assert.equal(created.value.info.expiresAt, expiresAt.toISOString());
  const { token, info } = created.value;
  assert.equal(store.verify(token, 'client', expiresAt.getTime() - 1).ok, true);
  assert.deepEqual(store.verify(token, 'client', expiresAt.getTime()), { ok: false, reason: 'expired' });
  assert.equal(store.isActive(info.id, expiresAt.getTime() - 1), true);
  assert.equal(store.isActive(info.id, expiresAt.getTime()), false);

  const past = await store.create('old', 'client', { expiresAt: new Date(Date.now() - 1) });
  assert.equal(past.ok, false);
});

test('a tokens.json written before expiry existed still loads, its tokens never expiring', async (t) => {
  const path = join(await makeTempDir(t), 'tokens.json');
  const created = await new TokenStore(path).create('legacy');
  assert.ok(created.ok);
  const file = JSON.parse(await readFile(path, 'utf8')) as { tokens: Record<string, unknown>[] };
  for (const record of file.tokens) delete record.expiresAt;
  await writeFile(path, JSON.stringify(file));
  const store = new TokenStore(path);
  assert.equal(store.verify(created.value.token, 'client', Date.parse('2999-01-01')).ok, true);
  assert.equal(store.list()[0]!.expiresAt, null);
});

test('a re-read while a new token is being written does not lose it', async (t) => {
  const path = join(await makeTempDir(t), 'tokens.json');
  const store = new TokenStore(path);
  const a = await store.create('a');
  assert.ok(a.ok);
  // The watcher's re-read of the file can land while create() is still writing: it reads the file without b.
  const creating = store.create('b');
  store.reload();
  const b = await creating;
  assert.ok(b.ok);
  assert.equal(store.verify(b.value.token, 'client').ok, true);
  assert.equal(store.verify(a.value.token, 'client').ok, true);
});
