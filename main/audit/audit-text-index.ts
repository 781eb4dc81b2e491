// The free-text index over audit records, kept just behind the database by the writer thread. Indexing a record
// costs about as much as storing it, so the index is filled after the records are stored, in slices, with the last
// indexed id kept beside it in the same transaction: after a crash it resumes where it stopped, and a text query
// first waits for it (or catches up itself), so it never misses a stored record.
import type Database from 'better-sqlite3';

/** One transaction of the writer thread; new journal lines are taken in between slices. */
const SLICE = 1000;

/** The index's statements, prepared once per connection: preparing costs more than running them. */
export class AuditTextIndex {
  readonly #db: Database.Database;
  readonly #last: Database.Statement;
  readonly #rows: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #mark: Database.Statement;
  readonly #slice: () => number;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#last = db.prepare("SELECT value FROM audit_meta WHERE key = 'text_indexed'");
    this.#rows = db.prepare('SELECT id, target, arguments FROM audit WHERE id > ? ORDER BY id LIMIT ?');
    this.#insert = db.prepare('INSERT INTO audit_text (rowid, target, arguments) VALUES (?, ?, ?)');
    this.#mark = db.prepare(
      "INSERT INTO audit_meta (key, value) VALUES ('text_indexed', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    const slice = db.transaction((): number => {
      const rows = this.#rows.all(this.indexedUpTo(), SLICE) as {
        id: number;
        target: string | null;
        arguments: string | null;
      }[];
      if (rows.length === 0) return 0;
      for (const row of rows) this.#insert.run(row.id, row.target, row.arguments);
      this.#mark.run(String(rows[rows.length - 1]!.id));
      return rows.length;
    });
    // IMMEDIATE: the writer thread and a query's catch-up may both index; each slice reads where the index ends
    // and writes after it, so it must hold the write lock from its first read.
    this.#slice = () => slice.immediate();
  }

  indexedUpTo(): number {
    const row = this.#last.get() as { value: string } | undefined;
    return row === undefined ? 0 : Number(row.value);
  }

  /** Indexes up to one slice of records past the last indexed one; returns how many it indexed. */
  slice(): number {
    return this.#slice();
  }

  /** Indexes everything not yet indexed, synchronously (before a text query). */
  catchUp(): void {
    while (this.#slice() > 0);
  }

  /** Removes records up to `id` from the index, as retention removes them from the table (same transaction). */
  unindexThrough(id: number): void {
    this.#db
      .prepare(
        "INSERT INTO audit_text (audit_text, rowid, target, arguments) SELECT 'delete', id, target, arguments FROM audit WHERE id <= ?",
      )
      .run(Math.min(id, this.indexedUpTo()));
  }
}

/** For a connection that only needs to catch up once (the CLI before a text query). */
export function catchUp(db: Database.Database): void {
  new AuditTextIndex(db).catchUp();
}
