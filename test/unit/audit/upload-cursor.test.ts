// The upload cursor on disk and where uploading resumes from it: after the acknowledged record, from the start
// for a new endpoint, and from the start when the log was begun afresh under the same ids.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCursor, resumeAfter, writeCursor } from '../../../main/audit/upload-cursor.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const URL_A = 'https://audit.example.com/ingest';
const cursor = { url: URL_A, lastId: 40, lastHash: 'h40', at: '2026-11-26T10:00:00.000Z' };

test('a written cursor reads back whole; an absent or damaged file reads as none', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'audit.upload.json');
  assert.equal(readCursor(path), null);
  await writeCursor(path, cursor);
  assert.deepEqual(readCursor(path), cursor);
  writeFileSync(path, '{"url":"x","lastId":"40"');
  assert.equal(readCursor(path), null);
  writeFileSync(path, JSON.stringify({ ...cursor, lastId: -1 }));
  assert.equal(readCursor(path), null);
});

test('resumes after the acknowledged record while the log holds it with the same hash', () => {
  assert.deepEqual(resumeAfter(cursor, URL_A, { hashAt: 'h40', newestId: 90 }), { afterId: 40, reason: null });
});

test('resumes after it when retention removed it (the log went on past it)', () => {
  assert.deepEqual(resumeAfter(cursor, URL_A, { hashAt: null, newestId: 90 }), { afterId: 40, reason: null });
});

test('starts from the oldest record with no cursor, or for an endpoint the cursor is not about', () => {
  assert.deepEqual(resumeAfter(null, URL_A, { hashAt: null, newestId: 90 }), { afterId: 0, reason: null });
  assert.deepEqual(resumeAfter(cursor, 'https://other.example/ingest', { hashAt: 'h40', newestId: 90 }), {
    afterId: 0,
    reason: 'new-endpoint',
  });
});

test('starts over when the log was begun afresh: another hash at the id, or the id beyond the log', () => {
  assert.deepEqual(resumeAfter(cursor, URL_A, { hashAt: 'other', newestId: 90 }), {
    afterId: 0,
    reason: 'log-restarted',
  });
  assert.deepEqual(resumeAfter(cursor, URL_A, { hashAt: null, newestId: 12 }), {
    afterId: 0,
    reason: 'log-restarted',
  });
});
