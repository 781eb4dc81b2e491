// `switchboard team-server` as a real child process, for the end-to-end tests and the ingest benchmark: started
// on a given (or free) loopback port with the database URL in its environment, resolved once it prints where it
// listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));

export interface TeamServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function startTeamServerProcess(options: {
  readonly databaseUrl: string;
  readonly team: string;
  readonly publicKey: string;
  readonly port: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}): Promise<TeamServerProcess> {
  const args = [BIN, 'team-server', '--team', options.team, '--key', options.publicKey];
  const child = spawn(process.execPath, [...args, '--listen', `127.0.0.1:${options.port}`], {
    cwd: join(BIN, '..', '..'),
    env: { ...process.env, ...options.env, SWITCHBOARD_TEAM_DATABASE_URL: options.databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`team-server printed no URL within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /team server listening on (http:\S+)/.exec(out);
      if (match === null) return;
      clearTimeout(timer);
      resolve({ child, url: match[1]!, exited, stderr: () => err });
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`team-server exited (${code ?? signal}) before listening; stderr: ${err}`));
    });
  });
}
