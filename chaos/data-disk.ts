// The data directory's disk for `npm run chaos`: a tmpfs of its own mounted on the data directory, so the run can
// fill it to the last byte (every write then fails with ENOSPC, as on a full disk, root included) and free it again,
// without touching the machine's real disks. Mounting needs root (CAP_SYS_ADMIN); elsewhere the fault is skipped
// with the reason, never faked.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Big enough for the run's logs and audit trail many times over; tmpfs takes memory only for what is written. */
const DISK_MIB = 1024;
const CHUNK = Buffer.alloc(4 * 1024 * 1024);

export type Mounted =
  { readonly ok: true; readonly unmount: () => void } | { readonly ok: false; readonly reason: string };

/** Mounts a fresh tmpfs on `dir` (which must be empty). */
export function mountDataDisk(dir: string): Mounted {
  if (process.platform !== 'linux') return { ok: false, reason: 'a tmpfs data disk is only set up on Linux' };
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_MIB}m,mode=0700`, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  if (mounted.status !== 0) {
    return {
      ok: false,
      reason: `cannot mount a tmpfs for the data directory: ${(mounted.stderr || mounted.error?.message || '').trim()}`,
    };
  }
  return {
    ok: true,
    unmount: () => {
      // Lazily: a process the run could not stop must not leave the mount behind.
      spawnSync('umount', ['-l', dir]);
    },
  };
}

/**
 * Fills the disk under `dir` until a write fails for lack of space, and returns how many bytes that took and the
 * function that frees them again.
 */
export function fillDisk(dir: string): { readonly bytes: number; readonly release: () => void } {
  const path = join(dir, '.chaos-filler');
  const fd = openSync(path, 'w');
  let bytes = 0;
  try {
    for (;;) {
      const stats = statfsSync(dir);
      const free = stats.bavail * stats.bsize;
      const chunk = free >= CHUNK.length ? CHUNK : CHUNK.subarray(0, Math.max(1, free));
      bytes += writeSync(fd, chunk);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return { bytes, release: () => rmSync(path, { force: true }) };
}
