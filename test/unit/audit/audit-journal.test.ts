// The journal's framing: whole chunks only. What a kill in the middle of a write leaves is skipped whole, and a
// chunk longer than the reading window is still read.
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AuditJournal, REPLAY_CHUNK_BYTES, journalChunks, readJournalRows } from '../../../main/audit/audit-journal.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

function rowsText(from: number, count: number, pad = ''): string {
  return Array.from({ length: count }, (_, i) => JSON.stringify([from + i, pad]) + '\n').join('');
}

function readAll(path: string): { ids: number[]; end: number } {
  const fd = openSync(path, 'r');
  try {
    const { rows, end } = readJournalRows(fd, 0, statSync(path).size);
    return { ids: rows.map((row) => Number(row[0])), end };
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
    for (; next.done !== true; next = chunks.next()) seen.push(...next.value.map((row) => Number(row[0])));
    assert.equal(next.value, size, 'read to the end');
    assert.deepEqual(
      seen,
      Array.from({ length: 303 }, (_, i) => i + 1),
    );
  } finally {
    closeSync(fd);
  }
});
