// Reading the next batch of audit records to upload: the records after the cursor, in id order, at most a count
// and a byte budget. Small on purpose: it runs on the gateway's thread, and a read by primary key of a few
// hundred rows (under a MiB) takes about a millisecond, while the writer thread's commits never block it (WAL).
import type Database from 'better-sqlite3';
import type { AuditEvent } from './audit-event.ts';
import { eventFromRow } from './audit-query.ts';

/** A batch's records stop once their text passes this, so one batch stays well under a receiver's body limit. */
export const MAX_BATCH_BYTES = 1024 * 1024;

type Row = Parameters<typeof eventFromRow>[0];

/** The size a row takes as JSON, roughly: its text fields and a fixed share for the rest. */
function rowBytes(row: Row): number {
  let bytes = 400;
  for (const value of [row.arguments, row.error_detail, row.detail, row.error, row.target]) {
    if (value !== null) bytes += value.length;
  }
  return bytes;
}

/** Up to `limit` records after `afterId`, oldest first, stopping early past `maxBytes` (always at least one). */
export function readBatch(
  db: Database.Database,
  afterId: number,
  limit: number,
  maxBytes: number = MAX_BATCH_BYTES,
): AuditEvent[] {
  const events: AuditEvent[] = [];
  let bytes = 0;
  const rows = db.prepare('SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?').iterate(afterId, limit);
  for (const row of rows as IterableIterator<Row>) {
    events.push(eventFromRow(row));
    bytes += rowBytes(row);
    if (bytes >= maxBytes) break;
  }
  return events;
}

/** The hash of the cursor's record as the database holds it, for `resumeAfter`; null when it is not there. */
export function hashAt(db: Database.Database, id: number): string | null {
  const row = db.prepare('SELECT hash FROM audit WHERE id = ?').get(id) as { hash: string } | undefined;
  return row?.hash ?? null;
}
