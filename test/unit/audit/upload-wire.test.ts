// The upload's wire format and what each receiver answer means: acknowledged, retried (honouring Retry-After), or
// stopped as a setup to fix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEvent } from '../../../main/audit/audit-event.ts';
import {
  MAX_RETRY_AFTER_MS,
  UPLOAD_SCHEMA_VERSION,
  judgeResponse,
  parseReceipt,
  parseRetryAfter,
  recordUid,
  uploadBatch,
} from '../../../main/audit/upload-wire.ts';

const NOW = Date.parse('2026-11-26T10:00:00Z');

function headers(values: Record<string, string> = {}): Headers {
  return new Headers(values);
}

function event(id: number, hash: string): AuditEvent {
  return {
    id,
    ts: NOW,
    kind: 'request',
    method: 'tools/call',
    outcome: 'ok',
    client: 'cursor',
    server: 'fs',
    target: 'read_file',
    arguments: '{"path":"/tmp/x"}',
    decision: 'allow',
    rule: 'default',
    durationMs: 3,
    requestBytes: 10,
    responseBytes: 20,
    error: null,
    errorDetail: null,
    protocolVersion: '2025-11-25',
    sessionId: 's1',
    detail: null,
    member: null,
    prevHash: '0'.repeat(64),
    hash,
  };
}

test('a batch carries the schema version, the source and each record whole with its uid, in order', () => {
  const source = { installId: 'a1b2', host: 'laptop', version: '1.2.3' };
  const batch = uploadBatch(source, [event(7, 'h7'), event(8, 'h8')]);
  assert.equal(batch.schemaVersion, UPLOAD_SCHEMA_VERSION);
  assert.deepEqual(batch.source, source);
  assert.deepEqual(
    batch.records.map((r) => [r.uid, r.id, r.hash, r.target]),
    [
      ['a1b2:7:h7', 7, 'h7', 'read_file'],
      ['a1b2:8:h8', 8, 'h8', 'read_file'],
    ],
  );
});

test('the uid is the same for the same record and differs for another record under the same id', () => {
  assert.equal(recordUid('i', { id: 3, hash: 'abc' }), recordUid('i', { id: 3, hash: 'abc' }));
  assert.notEqual(recordUid('i', { id: 3, hash: 'abc' }), recordUid('i', { id: 3, hash: 'def' }));
  assert.notEqual(recordUid('i', { id: 3, hash: 'abc' }), recordUid('j', { id: 3, hash: 'abc' }));
});

test('any 2xx acknowledges the batch', () => {
  for (const status of [200, 201, 202, 204]) {
    assert.deepEqual(judgeResponse(status, headers(), '', NOW), { kind: 'ok' });
  }
});

test('5xx, 408 and 429 are retried; Retry-After is honoured in seconds or as a date', () => {
  assert.deepEqual(judgeResponse(500, headers(), 'boom', NOW), {
    kind: 'retry',
    reason: 'the receiver answered 500: boom',
    afterMs: null,
  });
  assert.deepEqual(judgeResponse(408, headers(), '', NOW), {
    kind: 'retry',
    reason: 'the receiver answered 408',
    afterMs: null,
  });
  const busy = judgeResponse(429, headers({ 'retry-after': '7' }), '', NOW);
  assert.equal(busy.kind === 'retry' && busy.afterMs, 7_000);
  const dated = judgeResponse(503, headers({ 'retry-after': 'Thu, 26 Nov 2026 10:00:30 GMT' }), '', NOW);
  assert.equal(dated.kind === 'retry' && dated.afterMs, 30_000);
});

test('Retry-After: unreadable is ignored, a date in the past is now, a huge value is capped', () => {
  assert.equal(parseRetryAfter(null, NOW), null);
  assert.equal(parseRetryAfter('soon', NOW), null);
  assert.equal(parseRetryAfter('Thu, 26 Nov 2026 09:00:00 GMT', NOW), 0);
  assert.equal(parseRetryAfter('99999999', NOW), MAX_RETRY_AFTER_MS);
});

test('other 4xx and redirects stop the upload, saying what to check', () => {
  const unauthorized = judgeResponse(401, headers(), 'bad token', NOW);
  assert.equal(unauthorized.kind, 'stop');
  assert.match(unauthorized.kind === 'stop' ? unauthorized.reason : '', /401: bad token; check the token/);
  const missing = judgeResponse(404, headers(), '', NOW);
  assert.match(missing.kind === 'stop' ? missing.reason : '', /404; check the upload URL/);
  const moved = judgeResponse(308, headers({ location: 'https://new.example/ingest' }), '', NOW);
  assert.match(moved.kind === 'stop' ? moved.reason : '', /redirected \(308\) to https:\/\/new\.example\/ingest/);
});

test('a receipt is read leniently: counts when given, nulls otherwise', () => {
  assert.deepEqual(parseReceipt('{"stored":3,"duplicates":2}'), { stored: 3, duplicates: 2 });
  assert.deepEqual(parseReceipt('{"stored":"3"}'), { stored: null, duplicates: null });
  assert.deepEqual(parseReceipt('OK'), { stored: null, duplicates: null });
});
