// The chain's two ends, kept outside the database in `audit.head.json`: the last record written (so cutting the
// newest records off, or putting back an older copy of the whole database, is detected) and the anchor the first
// remaining record links to (where retention cut). The file is replaced atomically; it lags the database by at
// most a second (it is written after commits, at most once a second, and on close), so after a crash `verify`
// accepts a head that is behind the database, never one that is ahead of it.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export interface ChainHead {
  readonly lastId: number;
  readonly lastHash: string;
  readonly anchorId: number;
  readonly anchorHash: string;
}

export function readHead(path: string): ChainHead | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ChainHead>;
    if (
      typeof parsed.lastId === 'number' &&
      typeof parsed.lastHash === 'string' &&
      typeof parsed.anchorId === 'number' &&
      typeof parsed.anchorHash === 'string'
    ) {
      return parsed as ChainHead;
    }
    return null;
  } catch {
    return null;
  }
}

/** Written synchronously: it runs at close, during shutdown, where nothing may be left pending. */
export function writeHead(path: string, head: ChainHead): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(head) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
