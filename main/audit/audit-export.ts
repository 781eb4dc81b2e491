// Exporting the audit trail as JSON Lines or CSV, one record at a time from a cursor over the database and written
// with backpressure: memory stays flat whatever the size of the export.
import type { Writable } from 'node:stream';
import type Database from 'better-sqlite3';
import type { AuditEvent } from './audit-event.ts';
import { iterateAudit, type AuditFilter } from './audit-query.ts';

export type ExportFormat = 'jsonl' | 'csv';

const CSV_COLUMNS: readonly (keyof AuditEvent)[] = [
  'id',
  'ts',
  'kind',
  'method',
  'outcome',
  'client',
  'server',
  'target',
  'arguments',
  'decision',
  'rule',
  'durationMs',
  'requestBytes',
  'responseBytes',
  'error',
  'errorDetail',
  'protocolVersion',
  'sessionId',
  'detail',
  'prevHash',
  'hash',
  // Added after the others, so readers of older exports find every column where it was.
  'member',
];

/** RFC 4180: quoted when needed, quotes doubled. A leading =, +, - or @ is prefixed so spreadsheets do not run it. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatRecord(event: AuditEvent, format: ExportFormat): string {
  if (format === 'jsonl') return JSON.stringify(event) + '\n';
  return CSV_COLUMNS.map((column) => csvField(event[column])).join(',') + '\r\n';
}

/** Writes every matching record, oldest first; resolves with how many were written. */
export async function exportAudit(
  db: Database.Database,
  filter: AuditFilter,
  format: ExportFormat,
  out: Writable,
): Promise<number> {
  let count = 0;
  const write = (text: string): Promise<void> | null =>
    out.write(text) ? null : new Promise((resolve) => out.once('drain', () => resolve()));
  if (format === 'csv') await write(CSV_COLUMNS.join(',') + '\r\n');
  for (const event of iterateAudit(db, filter)) {
    const waiting = write(formatRecord(event, format));
    count += 1;
    if (waiting !== null) await waiting;
  }
  return count;
}
