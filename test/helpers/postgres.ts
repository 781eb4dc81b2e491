// A private, real PostgreSQL for a test file or a benchmark: `initdb` into a temporary folder, `pg_ctl start` on
// 127.0.0.1 and a free port, one database per caller, and `pg_ctl stop` plus removal afterwards. PostgreSQL refuses
// to run as root, so as root the server runs as the `postgres` user Debian's package creates. Where the binaries are
// missing the suite is skipped with the reason, except in CI, where that is a failure.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

export interface TestPostgres {
  /** A connection string for a fresh, empty database of this server. */
  readonly url: string;
  /** Another empty database on the same server, for a test that wants its own. */
  createDatabase(name: string): Promise<string>;
  /** The server's process id, for a test that kills it. */
  pid(): Promise<number>;
  /** Starts the server again on the same folder and port after a stop or a kill. */
  restart(): Promise<void>;
  /** Stops the server at once (`immediate`, as a crash would) and removes its folder. */
  stop(): Promise<void>;
}

const SUPERUSER = 'switchboard';

/** The folder holding initdb and pg_ctl: Debian's versioned folder (newest first), else whatever PATH has. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const bin = join(root, version, 'bin');
      if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
    }
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (found.status === 0) return join(found.stdout.trim(), '..');
  return null;
}

/** Why PostgreSQL cannot be started here, or null when it can. */
export function postgresMissing(): string | null {
  if (process.platform !== 'linux') return 'a private PostgreSQL is only set up on Linux';
  if (postgresBinDir() === null) return 'missing initdb and pg_ctl (Debian: apt-get install postgresql)';
  if (process.getuid?.() === 0 && spawnSync('id', ['postgres']).status !== 0) {
    return 'running as root without a postgres user to run the server as (Debian: apt-get install postgresql)';
  }
  return null;
}

/** The skip option for `test()`: a reason outside CI, never in CI (a missing tool must fail there). */
export function skipWithoutPostgres(): string | false {
  const missing = postgresMissing();
  if (missing === null) return false;
  if (process.env['CI']) throw new Error(`PostgreSQL tests cannot run: ${missing}`);
  return missing;
}

export interface StartOptions {
  /**
   * Durability as a real deployment has it (`fsync` on). Off by default: a test kills processes, not the machine,
   * and a committed transaction survives a killed server either way (the WAL is written at commit; only the sync
   * to disk is skipped); only a benchmark needs the real cost.
   */
  readonly durable?: boolean;
  /**
   * A folder kept between runs: the cluster is made there the first time and started again on later runs, and
   * `stop()` shuts it down cleanly and leaves it. For a benchmark whose data takes minutes to build.
   */
  readonly keepAt?: string;
}

/** Starts a private server; call `stop()` when done (an `after` hook). */
export async function startPostgres(options: StartOptions = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (bin === null) throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql)');
  const asRoot = process.getuid?.() === 0;
  const kept = options.keepAt !== undefined;
  const dir = options.keepAt ?? (await mkdtemp(join(tmpdir(), 'switchboard-pg-')));
  if (kept) await mkdir(dir, { recursive: true });
  const data = join(dir, 'data');
  if (asRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    await chown(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
  }
  await chmod(dir, 0o700);
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  if (!existsSync(join(data, 'PG_VERSION'))) {
    await pg('initdb', ['-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  }
  const port = await freePort();
  const settings = [
    `-c listen_addresses=127.0.0.1`,
    `-c port=${port}`,
    `-c unix_socket_directories=${dir}`,
    `-c max_connections=200`,
    ...(options.durable === true ? [] : ['-c fsync=off', '-c full_page_writes=off']),
  ].join(' ');
  const start = () =>
    pg('pg_ctl', ['-D', data, '-o', settings, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
  await start();
  const base = `postgres://${SUPERUSER}@127.0.0.1:${port}`;
  let stopped = false;
  const createDatabase = async (name: string): Promise<string> => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
    const psql = (sql: string) =>
      run(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, '-d', 'postgres', '-Atqc', sql]);
    // A kept cluster already has the databases of its earlier runs.
    const { stdout } = await psql(`SELECT 1 FROM pg_database WHERE datname = '${name}'`);
    if (stdout.trim() !== '1') await psql(`CREATE DATABASE ${name}`);
    return `${base}/${name}`;
  };
  const url = await createDatabase('switchboard_test');
  return {
    url,
    createDatabase,
    async pid() {
      const { stdout } = await pg('pg_ctl', ['-D', data, 'status']);
      const match = /PID: (\d+)/.exec(stdout);
      if (match === null) throw new Error(`pg_ctl status did not name a PID: ${stdout}`);
      return Number(match[1]);
    },
    async restart() {
      // After a kill -9 the old server's backends linger until they notice, holding its shared memory: the new
      // server refuses to start until they are gone, which takes a moment.
      const deadline = Date.now() + 20_000;
      for (;;) {
        try {
          await start();
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        // A kept cluster is shut down cleanly, so its next start needs no recovery.
        await pg('pg_ctl', ['-D', data, '-m', kept ? 'fast' : 'immediate', '-w', 'stop']);
      } catch {
        // Already stopped (a test killed it): the folder goes all the same.
      }
      if (!kept) await rm(dir, { recursive: true, force: true });
    },
  };
}
