// Replacing a file so that readers only ever see the old content or the new, never a torn write: the new
// content goes to a temp file in the same folder (rename is atomic only within one file system), is flushed to
// disk, then renamed over the target. A crash leaves at most a stray temp file, which readers never open.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorCode } from '../paths/fs-error.ts';

/** Whether `name` is one of the temp files `writeFileAtomic` makes for `target`: `.config.json.<pid>.<random>.tmp`. */
export function isTempFileFor(name: string, target: string): boolean {
  return name.startsWith(`.${basename(target)}.`) && name.endsWith('.tmp');
}

/** Writes `data` to `path` atomically with the given mode. Throws the file-system error when it cannot. */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      // The mode given to open is reduced by the umask; the file must end up exactly as private as asked.
      await handle.chmod(mode);
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameWithRetry(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
  await syncDirectory(dir);
}

/**
 * On Windows a rename over a file fails while another program (an antivirus, an indexer, an editor) briefly
 * holds it open; those holds last milliseconds, so a few short retries get through.
 */
async function renameWithRetry(from: string, to: string): Promise<void> {
  const transient = new Set(['EPERM', 'EACCES', 'EBUSY']);
  for (let attempt = 1; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = errorCode(error);
      if (process.platform !== 'win32' || attempt >= 8 || code === undefined || !transient.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, attempt * 25));
    }
  }
}

/** Flushes the rename itself, so a power cut right after a write cannot bring the old file back. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a directory for syncing; its rename is durable enough there.
  }
}
