// Retention: records older than the configured days, and the oldest beyond the configured count, are removed in one
// transaction that also moves the chain's anchor to the last removed record's hash, so what remains still verifies.
// Records not yet uploaded to a team's collector are kept past their days; the count is a cap that holds anyway.
import type { AuditLog } from './audit-log.ts';

export interface RetentionPolicy {
  readonly days: number;
  readonly maxRows: number;
  /** Records after this id are not yet uploaded: age does not remove them (the count still does). */
  readonly unsentAfter?: number | null | undefined;
}

export interface PruneResult {
  readonly removed: number;
  readonly anchorId: number;
}

export function pruneAudit(audit: AuditLog, policy: RetentionPolicy, now: number = Date.now()): PruneResult {
  audit.flush();
  const db = audit.database;
  const cutoff = now - policy.days * 24 * 60 * 60 * 1000;
  const aged = db.prepare('SELECT MAX(id) AS id FROM audit WHERE ts < ?').get(cutoff) as { id: number | null };
  const unsent = policy.unsentAfter ?? null;
  const byAge = { id: aged.id === null || unsent === null ? aged.id : Math.min(aged.id, unsent) };
  const newest = db.prepare('SELECT MAX(id) AS id FROM audit').get() as { id: number | null };
  const byCount = newest.id === null ? null : newest.id - policy.maxRows;
  const cut = Math.max(byAge.id ?? 0, byCount ?? 0);
  const oldest = db.prepare('SELECT MIN(id) AS id FROM audit').get() as { id: number | null };
  if (oldest.id === null || cut < oldest.id) return { removed: 0, anchorId: audit.head().anchorId };
  const last = db.prepare('SELECT id, hash FROM audit WHERE id <= ? ORDER BY id DESC LIMIT 1').get(cut) as {
    id: number;
    hash: string;
  };
  let removed = 0;
  // IMMEDIATE: the writer thread commits on its own connection, and a read lock cannot be raised to a write lock
  // past its commits; taking the write lock first waits for the writer instead.
  db.transaction(() => {
    audit.textIndex.unindexThrough(last.id);
    removed = db.prepare('DELETE FROM audit WHERE id <= ?').run(last.id).changes;
    db.prepare(
      "INSERT INTO audit_meta (key, value) VALUES ('anchor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(JSON.stringify({ id: last.id, hash: last.hash }));
  }).immediate();
  audit.reanchor({ id: last.id, hash: last.hash });
  return { removed, anchorId: last.id };
}
