// This data directory's name among a team's: a random UUID made the first time it is needed and kept in
// `install-id`. Uploaded audit records carry it, so a receiver tells members apart and a record keeps the same
// uid however often it is sent. It is never replaced on its own: a new id would make every record look new.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { errorCode } from '../paths/fs-error.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type InstallIdResult =
  { readonly ok: true; readonly id: string } | { readonly ok: false; readonly error: string };

/** The id in `path`, made and written (atomically) when the file does not exist yet. */
export async function ensureInstallId(path: string): Promise<InstallIdResult> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (UUID.test(text)) return { ok: true, id: text };
    return {
      ok: false,
      error: `${path} does not hold an install id; delete it to make a new one (the receiver then gets every record again under the new id)`,
    };
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') {
      return { ok: false, error: `${path} cannot be read: ${(error as Error).message}` };
    }
  }
  const id = randomUUID();
  try {
    await writeFileAtomic(path, id + '\n', 0o600);
  } catch (error) {
    return { ok: false, error: `${path} cannot be written: ${(error as Error).message}` };
  }
  return { ok: true, id };
}
