// `kill -9` of a real `serve` while a batch is at the receiver, which stored it but whose answer never left: the
// cursor on disk still points before that batch, so after a restart the batch is sent again with the rest, and
// the receiver, keeping records by uid, holds every record of both runs exactly once.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import { replayJournal } from '../../../main/audit/audit-journal.ts';
import { readCursor } from '../../../main/audit/upload-cursor.ts';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import { runBin, startServe } from '../cli/serve-process.ts';
import { waitUntil } from '../gateway/support.ts';
import { Receiver } from './upload-receiver.ts';

const BATCH = 10;
const CALLS = 40;

/** The uids of every record in the database, in id order (read-only, beside a running serve). */
function storedUids(dir: string, installId: string): string[] {
  const db = new Database(dataDirPaths(dir).audit, { readonly: true });
  try {
    const rows = db.prepare('SELECT id, hash FROM audit ORDER BY id').all() as { id: number; hash: string }[];
    return rows.map((r) => `${installId}:${r.id}:${r.hash}`);
  } finally {
    db.close();
  }
}

async function callEcho(url: string, token: string, n: number): Promise<void> {
  const client = new Client({ name: 'upload-crash', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  try {
    for (let i = 0; i < n; i += 1) await client.callTool({ name: 'echo__echo', arguments: { text: `call-${i}` } });
  } finally {
    await client.close().catch(() => {});
  }
}

test('kill -9 of serve with a batch at the receiver: after a restart every record is held exactly once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-upload-crash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const receiver = new Receiver();
  await receiver.listen();
  t.after(() => receiver.close());
  // The third batch is stored and never answered: the sender is killed while it waits.
  receiver.script = (n) => (n === 2 ? { kind: 'store-and-hang' } : { kind: 'store' });
  const upload = { url: receiver.url, batchSize: BATCH, intervalMs: 100, timeoutMs: 60_000, initialBackoffMs: 50 };
  assert.ok(
    (await writeConfig(dataDirPaths(dir).config, { servers: { echo: fixtureServer('echo') }, audit: { upload } })).ok,
  );
  const made = await runBin(['token', 'create', 'load', '--json', '--data-dir', dir]);
  assert.equal(made.code, 0, made.err);
  const token = (JSON.parse(made.out) as { token: string }).token;

  const first = await startServe(dir);
  t.after(() => first.child.kill('SIGKILL'));
  await callEcho(first.url, token, CALLS);
  await receiver.until(() => receiver.attempts.length >= 3, 'the third batch at the receiver');
  first.child.kill('SIGKILL');
  await first.exited;

  const installId = receiver.attempts[0]!.batch.source.installId;
  const hung = receiver.attempts[2]!.batch.records;
  const cursor = readCursor(dataDirPaths(dir).auditUpload);
  assert.equal(cursor?.lastId, hung[0]!.id - 1, 'the cursor stayed before the batch that was never acknowledged');
  // What the next start does first: the journal's newest records go into the database.
  const db = new Database(dataDirPaths(dir).audit);
  replayJournal(db, dataDirPaths(dir).auditJournal);
  db.close();
  const firstLife = storedUids(dir, installId);
  assert.ok(firstLife.length >= CALLS, `${firstLife.length} records`);

  receiver.script = () => ({ kind: 'store' });
  const second = await startServe(dir);
  t.after(() => second.child.kill('SIGKILL'));
  await callEcho(second.url, token, 5);
  await waitUntil(
    () => storedUids(dir, installId).every((uid) => receiver.held.has(uid)),
    'every record of both runs at the receiver',
    30_000,
  );
  const held = new Set(receiver.held.keys());
  second.child.kill('SIGTERM');
  await second.exited;

  const all = storedUids(dir, installId);
  assert.ok(
    firstLife.every((uid) => held.has(uid)),
    'every record of the killed run arrived',
  );
  assert.ok(
    [...held].every((uid) => all.includes(uid)),
    'the receiver holds nothing the log does not',
  );
  assert.ok(all.length > firstLife.length, 'the second run added records, and they arrived too');
  const hungSent = receiver.attempts.filter((a) => a.batch.records.some((r) => r.uid === hung[0]!.uid)).length;
  assert.ok(hungSent >= 2, 'the unacknowledged batch was sent again after the restart');
  const ids = receiver.heldIds();
  assert.equal(new Set(ids).size, ids.length, 'no record held twice');
});
