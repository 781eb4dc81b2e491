// How far the audit upload has got: the last record a receiver acknowledged, kept in `audit.upload.json` beside
// the database and replaced atomically after each acknowledged batch.
//
// A file rather than a row in audit.db: writing it never waits for SQLite's write lock, which the writer thread
// holds for its transactions (up to 4 MiB of records each), so advancing the cursor never holds the gateway's
// event loop; and audit.db keeps its schema, so a Switchboard without upload still opens it. The two can drift
// only towards sending again: a cursor lost or behind re-sends records the receiver already holds, which it
// ignores by their uid. The cursor names the endpoint and the record's hash, so a new endpoint starts from the
// oldest record and a log started afresh (ids counting from 1 again) is noticed rather than skipped over.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic-write.ts';

export interface UploadCursor {
  readonly url: string;
  /** The last acknowledged record; 0 and '' before the first. */
  readonly lastId: number;
  readonly lastHash: string;
  /** When it was acknowledged (ISO 8601); null before the first. */
  readonly at: string | null;
}

export function readCursor(path: string): UploadCursor | null {
  let parsed: Partial<UploadCursor>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<UploadCursor>;
  } catch {
    // Absent or unreadable: starting over only sends again what the receiver ignores.
    return null;
  }
  if (
    typeof parsed.url !== 'string' ||
    typeof parsed.lastId !== 'number' ||
    !Number.isSafeInteger(parsed.lastId) ||
    parsed.lastId < 0 ||
    typeof parsed.lastHash !== 'string'
  ) {
    return null;
  }
  const at = typeof parsed.at === 'string' ? parsed.at : null;
  return { url: parsed.url, lastId: parsed.lastId, lastHash: parsed.lastHash, at };
}

export function writeCursor(path: string, cursor: UploadCursor): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(cursor) + '\n', 0o600);
}

/** What the database says about the cursor's record, for `resumeAfter`. */
export interface LogFacts {
  /** The hash of the record with the cursor's id, or null when the database does not hold it. */
  readonly hashAt: string | null;
  /** The highest id the log has given out: its newest record, or past that the head file's (a cut tail). */
  readonly newestId: number;
}

export type Resume =
  | { readonly afterId: number; readonly reason: null }
  | { readonly afterId: 0; readonly reason: 'new-endpoint' | 'log-restarted' };

/**
 * Where uploading to `url` goes on: after the cursor's record while the log still holds it (or held it and
 * retention removed it), from the oldest record for an endpoint the cursor is not about, or when the log was
 * started afresh (the id has another hash, or lies beyond anything the log has given out).
 */
export function resumeAfter(cursor: UploadCursor | null, url: string, facts: LogFacts): Resume {
  if (cursor === null || cursor.url !== url) {
    return cursor === null || cursor.lastId === 0
      ? { afterId: 0, reason: null }
      : { afterId: 0, reason: 'new-endpoint' };
  }
  if (cursor.lastId === 0) return { afterId: 0, reason: null };
  if (facts.hashAt !== null && facts.hashAt !== cursor.lastHash) return { afterId: 0, reason: 'log-restarted' };
  if (facts.hashAt === null && cursor.lastId > facts.newestId) return { afterId: 0, reason: 'log-restarted' };
  return { afterId: cursor.lastId, reason: null };
}
