// The highest team policy version this machine has applied, with the digest of that document, kept in its own
// file beside (not inside) the cached document: an older signed document put in place of the cache is refused at
// start because the floor remembers better (T87). A different document with the version already applied is a
// feed that changed history, and is refused too.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../fs/atomic-write.ts';

export interface Floor {
  readonly version: number;
  /** SHA-256 (hex) of the signed payload of that version. */
  readonly digest: string;
}

export type FloorCheck = 'newer' | 'same' | 'older' | 'same-version-different';

export function compareToFloor(floor: Floor | null, version: number, digest: string): FloorCheck {
  if (floor === null || version > floor.version) return 'newer';
  if (version < floor.version) return 'older';
  return digest === floor.digest ? 'same' : 'same-version-different';
}

export type ReadFloor =
  { readonly ok: true; readonly floor: Floor | null } | { readonly ok: false; readonly error: string };

export async function readFloor(path: string): Promise<ReadFloor> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, floor: null };
    return { ok: false, error: `${path} cannot be read: ${(error as Error).message}` };
  }
  try {
    const value = JSON.parse(text) as Partial<Floor>;
    if (
      typeof value.version === 'number' &&
      Number.isSafeInteger(value.version) &&
      value.version >= 1 &&
      typeof value.digest === 'string' &&
      /^[0-9a-f]{64}$/.test(value.digest)
    ) {
      return { ok: true, floor: { version: value.version, digest: value.digest } };
    }
  } catch {
    // Reported below like any other damage.
  }
  return { ok: false, error: `${path} is damaged; the team policy cannot know which version it last applied` };
}

export async function writeFloor(path: string, floor: Floor): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(floor) + '\n', 0o600);
}
