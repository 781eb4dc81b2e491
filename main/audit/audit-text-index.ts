// The free-text index over audit records, kept just behind the writer. A record's commit is what a call waits for,
// and indexing a record costs about as much as writing it, so the index is filled afterwards, in slices, with the
// last indexed id kept beside it in the same transaction: after a crash it resumes where it stopped, and a text
// query first catches up, so it never misses a committed record.
import type Database from 'better-sqlite3';

/** Small enough that one slice holds the event loop for a few milliseconds at most. */
const SLICE = 250;

export function indexedUpTo(db: Database.Database): number {
  const row = db.prepare("SELECT value FROM audit_meta WHERE key = 'text_indexed'").get() as
    { value: string } | undefined;
  return row === undefined ? 0 : Number(row.value);
}

/** Indexes up to `SLICE` records past the last indexed one; returns how many it indexed. */
export function indexSlice(db: Database.Database): number {
  let done = 0;
  db.transaction(() => {
    const from = indexedUpTo(db);
    const rows = db
      .prepare('SELECT id, target, arguments FROM audit WHERE id > ? ORDER BY id LIMIT ?')
      .all(from, SLICE) as {
      id: number;
      target: string | null;
      arguments: string | null;
    }[];
    if (rows.length === 0) return;
    const insert = db.prepare('INSERT INTO audit_text (rowid, target, arguments) VALUES (?, ?, ?)');
    for (const row of rows) insert.run(row.id, row.target, row.arguments);
    db.prepare(
      "INSERT INTO audit_meta (key, value) VALUES ('text_indexed', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(String(rows[rows.length - 1]!.id));
    done = rows.length;
  })();
  return done;
}

/** Indexes everything not yet indexed, synchronously (before a text query). */
export function catchUp(db: Database.Database): void {
  while (indexSlice(db) > 0);
}

/** Removes records up to `id` from the index, as retention removes them from the table (same transaction). */
export function unindexThrough(db: Database.Database, id: number): void {
  const upTo = Math.min(id, indexedUpTo(db));
  db.prepare(
    "INSERT INTO audit_text (audit_text, rowid, target, arguments) SELECT 'delete', id, target, arguments FROM audit WHERE id <= ?",
  ).run(upTo);
}
