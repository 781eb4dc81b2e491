// Checking the audit trail: SQLite's own integrity check, then the chain record by record, then the chain's ends
// against the head kept outside the database. The first broken link is named with its id and what is wrong.
import type Database from 'better-sqlite3';
import { GENESIS_HASH, chainHash } from './audit-chain.ts';
import type { ChainHead } from './audit-head.ts';
import { eventFromRow } from './audit-query.ts';

export interface VerifyReport {
  readonly ok: boolean;
  /** Records whose links were checked. */
  readonly checked: number;
  readonly firstId: number | null;
  readonly lastId: number | null;
  /** The first problem found, in chain order; null when the chain is whole. */
  readonly problem: { readonly id: number | null; readonly message: string } | null;
}

type Row = Parameters<typeof eventFromRow>[0];

export function verifyAudit(db: Database.Database, head: ChainHead | null): VerifyReport {
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') {
    return {
      ok: false,
      checked: 0,
      firstId: null,
      lastId: null,
      problem: { id: null, message: `SQLite integrity check: ${String(integrity)}` },
    };
  }
  const stored = db.prepare("SELECT value FROM audit_meta WHERE key = 'anchor'").get() as { value: string } | undefined;
  const anchor =
    stored === undefined ? { id: 0, hash: GENESIS_HASH } : (JSON.parse(stored.value) as { id: number; hash: string });
  let expected = { id: anchor.id, hash: anchor.hash };
  let checked = 0;
  let firstId: number | null = null;
  const fail = (id: number | null, message: string): VerifyReport => ({
    ok: false,
    checked,
    firstId,
    lastId: expected.id,
    problem: { id, message },
  });
  if (head !== null && head.anchorId !== anchor.id) {
    return fail(
      null,
      `the anchor in the database (record ${anchor.id}) differs from the one in the head file (record ${head.anchorId}): the oldest records were removed outside retention, or the file or database was replaced`,
    );
  }
  for (const row of db.prepare('SELECT * FROM audit ORDER BY id').iterate() as IterableIterator<Row>) {
    firstId ??= row.id;
    if (row.id !== expected.id + 1) {
      return fail(row.id, `records ${expected.id + 1} to ${row.id - 1} are missing before record ${row.id}`);
    }
    if (row.prev_hash !== expected.hash) {
      return fail(
        row.id,
        `record ${row.id} does not link to the record before it: records before it were removed, inserted or reordered`,
      );
    }
    const event = eventFromRow(row);
    const fields = { ...event, detail: row.detail };
    const hash = chainHash(row.prev_hash, fields);
    if (hash !== row.hash) return fail(row.id, `record ${row.id} was changed after it was written`);
    expected = { id: row.id, hash: row.hash };
    checked += 1;
  }
  if (head !== null) {
    if (head.lastId > expected.id) {
      return fail(
        expected.id + 1,
        `the newest records are missing: the head file names record ${head.lastId}, the database ends at ${expected.id} (its tail was cut, or an older copy was put back)`,
      );
    }
    const atHead = db.prepare('SELECT hash FROM audit WHERE id = ?').get(head.lastId) as { hash: string } | undefined;
    if (head.lastId > anchor.id && atHead?.hash !== head.lastHash) {
      return fail(
        head.lastId,
        `record ${head.lastId} is not the one the head file names: the database was replaced or rewritten`,
      );
    }
  }
  return { ok: true, checked, firstId, lastId: expected.id, problem: null };
}
