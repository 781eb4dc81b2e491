// The README's loop through the CLI: keygen (private key 0600, public key printed), sign a document, serve it from a
// plain HTTP server, enroll, sync and status offline, then the same against a running serve through its socket.
import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyDocument } from '../../../main/team-policy/verify-document.ts';
import { startHarness } from '../../helpers/gateway-harness.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { runCliInProcess } from '../gateway/support.ts';
import { startFeed } from './policy-feed.ts';

test('keygen, sign, enroll, sync, status and show work offline and against a running serve', async (t) => {
  const dir = await makeTempDir(t);
  const data = join(dir, 'data');
  const cli = (args: string[]) => runCliInProcess(['--data-dir', data, ...args]);
  const keyFile = join(dir, 'team.key');

  const keygen = await cli(['policy', 'keygen', '--out', keyFile]);
  assert.equal(keygen.code, 0, keygen.err);
  const publicKey = keygen.out.trim();
  assert.match(publicKey, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
  assert.equal((await cli(['policy', 'keygen', '--out', keyFile])).code, 1, 'an existing key file is never replaced');

  const docFile = join(dir, 'team.json');
  const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
  await writeFile(docFile, JSON.stringify({ team: 'acme', version: 1, expiresAt, deniedTools: ['fs__delete'] }));
  const signed = await cli(['policy', 'sign', docFile, '--key', keyFile]);
  assert.equal(signed.code, 0, signed.err);
  const jws = signed.out.trim();
  assert.equal((await verifyDocument(jws, { publicKey, team: 'acme' })).ok, true);
  await writeFile(docFile, JSON.stringify({ team: 'acme', version: 1 }));
  const unsignable = await cli(['policy', 'sign', docFile, '--key', keyFile]);
  assert.equal(unsignable.code, 1);
  assert.match(unsignable.err, /expiresAt/);

  const feed = await startFeed({ kind: 'document', jws });
  t.after(() => feed.close());
  assert.match(
    (await cli(['policy', 'enroll', 'http://example.com/p.jws', '--team', 'acme', '--key', publicKey])).err,
    /https/,
  );
  const enroll = await cli(['policy', 'enroll', feed.url, '--team', 'acme', '--key', publicKey]);
  assert.equal(enroll.code, 0, enroll.err);
  assert.match((await cli(['policy', 'status'])).out, /state\s+pending/);
  const sync = await cli(['policy', 'sync']);
  assert.equal(sync.code, 0, sync.err);
  assert.match(sync.out, /applied: version 1/);
  const show = await cli(['policy', 'show']);
  assert.match(show.out, /state\s+active; version 1/);
  assert.match(show.out, /team:deniedTools\[0\]\s+deny\s+tools fs__delete/);

  // A running serve on the same data directory answers the same commands through its control socket.
  const h = await startHarness({});
  t.after(() => h.close());
  const live = (args: string[]) => runCliInProcess(['--data-dir', h.dataDir, ...args]);
  assert.match((await live(['policy', 'status'])).out, /not enrolled/);
  assert.equal((await live(['policy', 'enroll', feed.url, '--team', 'acme', '--key', publicKey])).code, 0);
  const liveSync = JSON.parse((await live(['policy', 'sync', '--json'])).out) as { outcome: string };
  assert.ok(['applied', 'unchanged'].includes(liveSync.outcome));
  assert.equal(h.core.teamPolicy.status()?.version, 1);
  const status = JSON.parse((await live(['policy', 'status', '--json'])).out) as { version: number; team: string };
  assert.deepEqual([status.team, status.version], ['acme', 1]);
  assert.equal((await live(['policy', 'unenroll'])).code, 0);
  assert.equal(h.core.teamPolicy.status(), null);
});
