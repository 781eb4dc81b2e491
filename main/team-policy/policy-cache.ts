// The last good team document, kept on disk exactly as it was signed, so a machine that starts offline enforces
// it: at start it is verified again (signature, team, version floor) like a document fresh from the endpoint, and
// a cache that fails any check is refused rather than trusted because it is ours (T89).
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.ts';

/** The cached JWS, null when there is none. Larger than any document we would have accepted: damaged. */
export async function readCachedDocument(
  path: string,
  maxBytes: number,
): Promise<{ ok: true; jws: string | null } | { ok: false; error: string }> {
  try {
    const text = await readFile(path, 'utf8');
    if (Buffer.byteLength(text) > maxBytes) return { ok: false, error: `${path} is larger than any accepted document` };
    return { ok: true, jws: text };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, jws: null };
    return { ok: false, error: `${path} cannot be read: ${(error as Error).message}` };
  }
}

export async function writeCachedDocument(path: string, jws: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, jws.trim() + '\n', 0o600);
}
