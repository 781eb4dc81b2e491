// `switchboard logs SERVER [--lines N] [--follow]`: a server's stderr log from its file in the data directory
// (masked as it was written), whether or not serve runs. --follow keeps printing what is appended, across
// rotations (the file shrinking or being replaced means a new one began), until interrupted.
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../config/load-config.ts';
import { dataDirPaths } from '../../paths/data-dir.ts';
import { UsageError, stringOption, type Command } from '../command.ts';

const TAIL_CHUNK = 64 * 1024;
const POLL_MS = 250;

/** The last `lines` lines of the file, read from its end in chunks. */
export function lastLines(path: string, lines: number): { text: string; size: number } {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    let start = size;
    let text = '';
    while (start > 0 && text.split('\n').length <= lines + 1) {
      const length = Math.min(TAIL_CHUNK, start);
      start -= length;
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, start);
      text = buffer.toString('utf8') + text;
    }
    const all = text.split('\n');
    if (all[all.length - 1] === '') all.pop();
    return { text: all.slice(-lines).join('\n') + (all.length > 0 ? '\n' : ''), size };
  } finally {
    closeSync(fd);
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

export const logsCommand: Command = {
  path: ['logs'],
  summary: "Print a server's log (its stderr, secrets masked); --follow keeps printing new lines.",
  usage: 'switchboard logs SERVER [--lines N] [--follow]',
  options: { lines: { type: 'string' }, follow: { type: 'boolean' } },
  allowPositionals: true,
  async run(args, global, io) {
    if (args.positionals.length !== 1) throw new UsageError(`expected one server name; usage: ${this.usage}`);
    const name = args.positionals[0]!;
    const lines = Number(stringOption(args, 'lines') ?? '100');
    if (!Number.isInteger(lines) || lines < 0) throw new UsageError('--lines takes a whole number');
    const path = join(dataDirPaths(global.dataDir).logs, `${name}.log`);
    const stat = statOrNull(path);
    if (stat === null) {
      const config = await loadConfig(dataDirPaths(global.dataDir).config);
      const known = config.ok ? Object.keys(config.config.servers) : [];
      io.err(
        known.includes(name)
          ? `logs: "${name}" has written nothing yet (${path} does not exist)\n`
          : `logs: no server named "${name}"; configured: ${known.join(', ') || 'none'}\n`,
      );
      return 1;
    }
    const tail = lastLines(path, lines);
    io.out(tail.text);
    if (args.values.follow !== true) return 0;
    let offset = tail.size;
    let inode = stat.ino;
    const stop = new AbortController();
    const interrupt = (): void => stop.abort();
    process.once('SIGINT', interrupt);
    try {
      while (!stop.signal.aborted) {
        await sleep(POLL_MS, undefined, { signal: stop.signal }).catch(() => {});
        const now = statOrNull(path);
        if (now === null) continue;
        // Rotated: the file was renamed away and a new one started, or it was cut.
        if (now.ino !== inode || now.size < offset) {
          inode = now.ino;
          offset = 0;
        }
        if (now.size === offset) continue;
        const fd = openSync(path, 'r');
        try {
          const buffer = Buffer.alloc(now.size - offset);
          readSync(fd, buffer, 0, buffer.length, offset);
          offset = now.size;
          io.out(buffer.toString('utf8'));
        } finally {
          closeSync(fd);
        }
      }
    } finally {
      process.off('SIGINT', interrupt);
    }
    return 0;
  },
};
