// The journal's framing: whole chunks only. What a kill in the middle of a write leaves is skipped whole, and a
// chunk longer than the reading window is still read. Replay links records to the chain as it puts them in.
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, openSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type Database from 'better-sqlite3';
import { GENESIS_HASH, chainHashOfJson } from '../../../main/audit/audit-chain.ts';
import { openAuditDb } from '../../../main/audit/audit-db.ts';
import {
  AuditJournal,
  REPLAY_CHUNK_BYTES,
  journalChunks,
  readJournalRows,
  replayJournal,
} from '../../../main/audit/audit-journal.ts';
import { verifyAudit } from '../../../main/audit/audit-verify.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

function rowsText(from: number, count: number, pad = ''): string {
  return Array.from({ length: count }, (_, i) => JSON.stringify([from + i, pad]) + '\n').join('');
}

function readAll(path: string): { ids: number[]; end: number } {
  const fd = openSync(path, 'r');
  try {
    const { rows, end } = readJournalRows(fd, 0, statSync(path).size);
    return { ids: rows.map((row) => Number(row.values[0])), end };
  } finally {
    closeSync(fd);
  }
}

test('chunks are read whole; a chunk cut short by a kill is skipped, and reading stops before it', async (t) => {
  const path = join(await makeTempDir(t), 'audit.journal');
  const journal = new AuditJournal(path);
  journal.append(rowsText(1, 3), 3);
  journal.append(rowsText(4, 2), 2);
  const complete = journal.size;
  journal.close();
  // What a write(2) interrupted by SIGKILL leaves: a prefix, here two whole lines and half of a third.
  appendFileSync(path, rowsText(6, 2) + '[8, "ha');
  assert.deepEqual(readAll(path), { ids: [1, 2, 3, 4, 5], end: complete });
});

test('a chunk whose count disagrees with its trailer, or with a line that does not parse, is dropped whole', async (t) => {
  const path = join(await makeTempDir(t), 'audit.journal');
  appendFileSync(path, rowsText(1, 2) + '#2\n' + rowsText(3, 2) + '#3\n' + rowsText(5, 1) + 'not json\n#2\n');
  appendFileSync(path, rowsText(7, 1) + '#1\n');
  assert.deepEqual(readAll(path).ids, [1, 2, 7]);
});

test('a chunk longer than the reading window is read by widening the window', async (t) => {
  const path = join(await makeTempDir(t), 'audit.journal');
  const journal = new AuditJournal(path);
  journal.append(rowsText(1, 2), 2);
  const big = rowsText(3, 300, 'x'.repeat(32 * 1024));
  assert.ok(big.length > REPLAY_CHUNK_BYTES * 2, 'the chunk is longer than two windows');
  journal.append(big, 300);
  journal.append(rowsText(303, 1), 1);
  const size = journal.size;
  journal.close();
  const fd = openSync(path, 'r');
  try {
    const seen: number[] = [];
    const chunks = journalChunks(fd, 0, size);
    let next = chunks.next();
    for (; next.done !== true; next = chunks.next()) seen.push(...next.value.map((row) => Number(row.values[0])));
    assert.equal(next.value, size, 'read to the end');
    assert.deepEqual(
      seen,
      Array.from({ length: 303 }, (_, i) => i + 1),
    );
  } finally {
    closeSync(fd);
  }
});

/** A journal line as the event loop writes it: the chained values, no hashes. */
function valuesLine(id: number, target: string): string {
  return JSON.stringify(
    [id, 1_000 + id, 'request', 'tools/call', 'ok', 'cursor', 'fs', target, null, 'allow'].concat(
      Array.from({ length: 9 }, () => null),
    ),
  );
}

function openDb(path: string): Database.Database {
  const opened = openAuditDb(path);
  assert.ok(opened.ok, opened.ok ? '' : opened.error);
  return opened.db;
}

function chainOf(db: Database.Database): { id: number; prev: string; hash: string }[] {
  return db.prepare('SELECT id, prev_hash AS prev, hash FROM audit ORDER BY id').all() as never;
}

test('replay links lines without hashes to the record before them, and takes lines with hashes as they are', async (t) => {
  const dir = await makeTempDir(t);
  const db = openDb(join(dir, 'audit.db'));
  // Lines from before the chain moved off the event loop carry their hashes: an existing journal replays as it did.
  const first = valuesLine(1, 'a');
  const firstHash = chainHashOfJson(GENESIS_HASH, first);
  const journal = join(dir, 'audit.journal');
  writeFileSync(journal, `${first.slice(0, -1)},"${GENESIS_HASH}","${firstHash}"]\n#1\n`);
  appendFileSync(journal, `${valuesLine(2, 'b')}\n${valuesLine(3, 'c')}\n#2\n`);
  assert.equal(replayJournal(db, journal), 3);
  const chain = chainOf(db);
  assert.deepEqual(
    chain.map((r) => r.id),
    [1, 2, 3],
  );
  assert.equal(chain[0]!.hash, firstHash);
  assert.equal(chain[1]!.prev, firstHash);
  assert.equal(chain[2]!.hash, chainHashOfJson(chain[1]!.hash, valuesLine(3, 'c')));
  assert.deepEqual(verifyAudit(db, null).problem, null);
  // Replaying again changes nothing: what the database has is skipped by id.
  replayJournal(db, journal);
  assert.deepEqual(chainOf(db), chain);
  db.close();
});

test('a line that does not follow the database is linked across the gap, or left to serve by a reader beside it', async (t) => {
  const dir = await makeTempDir(t);
  const journal = join(dir, 'audit.journal');
  writeFileSync(journal, `${valuesLine(1, 'a')}\n#1\n${valuesLine(5, 'e')}\n${valuesLine(6, 'f')}\n#2\n`);
  // A reader beside serve may read the journal as serve cuts it back and fills it again: it stops at the gap.
  const beside = openDb(join(dir, 'beside.db'));
  replayJournal(beside, journal, 'stop');
  assert.deepEqual(
    chainOf(beside).map((r) => r.id),
    [1],
  );
  beside.close();
  // The log's own replay keeps every record: the gap stays visible to verify, and the chain runs across it.
  const own = openDb(join(dir, 'own.db'));
  replayJournal(own, journal);
  const chain = chainOf(own);
  assert.deepEqual(
    chain.map((r) => r.id),
    [1, 5, 6],
  );
  assert.equal(chain[1]!.prev, chain[0]!.hash);
  assert.match(verifyAudit(own, null).problem!.message, /records 2 to 4 are missing before record 5/);
  own.close();
});
