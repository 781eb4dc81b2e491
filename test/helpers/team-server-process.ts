// `switchboard team-server` as a real child process, for the end-to-end tests and the ingest benchmark: started
// on a given (or free) loopback port with the database URL in its environment, resolved once it prints where it
// listens.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPrinting, type Exit } from './printing-process.ts';

export { freePort } from './free-port.ts';

const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));

export interface TeamServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<Exit>;
  stderr(): string;
}

export async function startTeamServerProcess(options: {
  readonly databaseUrl: string;
  readonly team: string;
  readonly publicKey: string;
  readonly port: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}): Promise<TeamServerProcess> {
  const args = [BIN, 'team-server', '--team', options.team, '--key', options.publicKey];
  const started = await startPrinting(
    'team-server',
    [...args, '--listen', `127.0.0.1:${options.port}`],
    {
      cwd: join(BIN, '..', '..'),
      env: { ...process.env, ...options.env, SWITCHBOARD_TEAM_DATABASE_URL: options.databaseUrl },
    },
    [/team server listening on (http:\S+)/],
    options.timeoutMs ?? 20_000,
  );
  return { child: started.child, url: started.matches[0]!, exited: started.exited, stderr: started.stderr };
}
