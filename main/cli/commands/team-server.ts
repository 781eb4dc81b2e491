// `switchboard team-server`: runs the team server (policy feed, audit ingest, members) over the team's PostgreSQL
// until SIGTERM or SIGINT, then drains. `team-server member add|list|revoke` manage members against the database
// directly, whether or not a server runs. The database URL comes from --database-url or, keeping its password out
// of the process list, SWITCHBOARD_TEAM_DATABASE_URL; it is only ever printed masked.
import type pg from 'pg';
import { importPublicKey } from '../../team-policy/team-keys.ts';
import { UsageError, stringOption, type CliIo, type Command, type ParsedCommand } from '../command.ts';

/** The team server and its PostgreSQL driver, loaded by these commands only: every other command (serve too)
 * would otherwise carry them unused. */
async function teamServerParts() {
  const [members, db, api, server] = await Promise.all([
    import('../../team-server/members.ts'),
    import('../../team-server/team-db.ts'),
    import('../../team-server/team-api.ts'),
    import('../../team-server/team-server.ts'),
  ]);
  return { ...members, ...db, ...api, ...server };
}

type TeamServerParts = Awaited<ReturnType<typeof teamServerParts>>;

export const DATABASE_URL_ENV = 'SWITCHBOARD_TEAM_DATABASE_URL';
const DEFAULT_LISTEN = '127.0.0.1:7420';

function databaseUrl(args: ParsedCommand, io: CliIo): string {
  const url = stringOption(args, 'database-url') ?? io.env[DATABASE_URL_ENV];
  if (url === undefined || url === '') {
    throw new UsageError(`the team database is needed: set ${DATABASE_URL_ENV} (or pass --database-url URL)`);
  }
  return url;
}

/** `HOST:PORT`, `[::1]:PORT`; the port may be 0 (any free one). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port > 65_535) {
    throw new UsageError(`--listen takes HOST:PORT such as ${DEFAULT_LISTEN} or 0.0.0.0:7420, got "${text}"`);
  }
  return { host: match[1] ?? match[2]!, port };
}

/** Opens the database for a member command, runs `work`, and closes it. */
async function withDatabase(
  args: ParsedCommand,
  io: CliIo,
  label: string,
  work: (pool: pg.Pool, team: TeamServerParts) => Promise<number>,
): Promise<number> {
  const url = databaseUrl(args, io);
  const team = await teamServerParts();
  const opened = await team.openTeamDb(url, { max: 2 });
  if (!opened.ok) {
    io.err(`${label}: ${opened.error}\n`);
    return 1;
  }
  try {
    return await work(opened.pool, team);
  } finally {
    await opened.pool.end();
  }
}

const DB_OPTION = { 'database-url': { type: 'string' } } as const;

export const teamServerCommand: Command = {
  path: ['team-server'],
  summary: "Run the team server: the team's policy feed, audit collection and members, over PostgreSQL.",
  usage:
    'switchboard team-server --team NAME --key PUBLIC_KEY [--listen HOST:PORT] [--database-url URL]\n' +
    `       the database URL from ${DATABASE_URL_ENV} by preference; --listen defaults to ${DEFAULT_LISTEN}`,
  options: { team: { type: 'string' }, key: { type: 'string' }, listen: { type: 'string' }, ...DB_OPTION },
  allowPositionals: false,
  async run(args, _global, io) {
    const team = stringOption(args, 'team');
    const key = stringOption(args, 'key');
    if (team === undefined) throw new UsageError('team-server needs --team NAME: the team its documents must name');
    if (key === undefined)
      throw new UsageError("team-server needs --key PUBLIC_KEY: the team's public key, as policy keygen printed it");
    try {
      await importPublicKey(key);
    } catch (error) {
      throw new UsageError(
        `--key is not an Ed25519 public key as policy keygen prints it: ${(error as Error).message}`,
      );
    }
    const { host, port } = parseListen(stringOption(args, 'listen') ?? DEFAULT_LISTEN);
    const url = databaseUrl(args, io);
    const { openTeamDb, createTeamApi, TeamServer, maskDatabaseUrl } = await teamServerParts();
    const opened = await openTeamDb(url);
    if (!opened.ok) {
      io.err(`team-server: ${opened.error}\n`);
      return 1;
    }
    const log = (message: string): void => io.err(`team-server: ${message}\n`);
    const teamApi = createTeamApi({ pool: opened.pool });
    const server = new TeamServer({ pool: opened.pool, key: { publicKey: key, team }, host, port, log, teamApi });
    let listening: string;
    try {
      listening = await server.listen();
    } catch (error) {
      await opened.pool.end();
      io.err(`team-server: cannot listen on ${host}:${port}: ${(error as Error).message}\n`);
      return 1;
    }
    io.out(`team server listening on ${listening}\n`);
    log(`team "${team}", database ${maskDatabaseUrl(url)}`);
    // A second signal during the drain finds no handler and ends the process at once.
    return new Promise<number>((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        log(`${signal}: draining`);
        server.stop().then(
          () => resolve(0),
          (error: unknown) => {
            log(`shutdown failed: ${(error as Error).message}`);
            resolve(1);
          },
        );
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
  },
};

function oneName(args: ParsedCommand, usage: string): string {
  if (args.positionals.length !== 1) throw new UsageError(`expected one member name; usage: ${usage}`);
  return args.positionals[0]!;
}

export const memberAddCommand: Command = {
  path: ['team-server', 'member', 'add'],
  summary: 'Add a team member and print their token (shown this once).',
  usage: 'switchboard team-server member add NAME [--admin] [--database-url URL] [--json]',
  options: { admin: { type: 'boolean' }, ...DB_OPTION },
  allowPositionals: true,
  async run(args, global, io) {
    const name = oneName(args, this.usage);
    return withDatabase(args, io, 'member add', async (pool, { addMember }) => {
      const added = await addMember(pool, name, args.values.admin === true);
      if (!added.ok) {
        io.err(`member add: ${added.error}\n`);
        return 1;
      }
      if (global.json) io.out(JSON.stringify({ member: name, admin: added.member.admin, token: added.token }) + '\n');
      else {
        io.out(`${added.token}\n`);
        io.err(
          `member "${name}"${added.member.admin ? ' (admin)' : ''} added. The token above is shown once: give it to ${name}, who stores it with\n` +
            '  switchboard secret set TEAM_TOKEN   (the name the team policy gives as audit.uploadTokenSecret)\n',
        );
      }
      return 0;
    });
  },
};

export const memberListCommand: Command = {
  path: ['team-server', 'member', 'list'],
  summary: 'List team members: name, admin, added, revoked. Never tokens.',
  usage: 'switchboard team-server member list [--database-url URL] [--json]',
  options: { ...DB_OPTION },
  allowPositionals: false,
  async run(args, global, io) {
    return withDatabase(args, io, 'member list', async (pool, { listMembers }) => {
      const members = await listMembers(pool);
      if (global.json) {
        io.out(
          JSON.stringify(
            members.map(({ id: _id, ...m }) => m),
            null,
            2,
          ) + '\n',
        );
        return 0;
      }
      if (members.length === 0) io.out('no members yet; add one with: switchboard team-server member add NAME\n');
      for (const m of members) {
        const state = m.revokedAt === null ? 'active' : `revoked ${m.revokedAt}`;
        io.out(`${m.name.padEnd(24)} ${m.admin ? 'admin ' : 'member'}  added ${m.createdAt}  ${state}\n`);
      }
      return 0;
    });
  },
};

export const memberRevokeCommand: Command = {
  path: ['team-server', 'member', 'revoke'],
  summary: "Revoke a member's token at once; their desktops' uploads are refused (401) from now on.",
  usage: 'switchboard team-server member revoke NAME [--database-url URL]',
  options: { ...DB_OPTION },
  allowPositionals: true,
  async run(args, global, io) {
    const name = oneName(args, this.usage);
    return withDatabase(args, io, 'member revoke', async (pool, { revokeMember }) => {
      const revoked = await revokeMember(pool, name);
      if (!revoked) {
        io.err(`member revoke: no active member named "${name}" (see: switchboard team-server member list)\n`);
        return 1;
      }
      io.out(global.json ? JSON.stringify({ revoked: name }) + '\n' : `member "${name}" revoked\n`);
      return 0;
    });
  },
};

export const TEAM_SERVER_COMMANDS: readonly Command[] = [
  teamServerCommand,
  memberAddCommand,
  memberListCommand,
  memberRevokeCommand,
];
