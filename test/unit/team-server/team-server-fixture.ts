// A team server in this process over a fresh database of the file's private PostgreSQL, with an admin and two
// members, for the team server's tests: requests are made with fetch, the database read with the pool.
import type pg from 'pg';
import type { GateLimits } from '../../../main/team-server/ingest-gate.ts';
import { addMember } from '../../../main/team-server/members.ts';
import { openTeamDb } from '../../../main/team-server/team-db.ts';
import { TeamServer } from '../../../main/team-server/team-server.ts';
import type { TestPostgres } from '../../helpers/postgres.ts';
import { makeTeamKey, type TeamKey } from '../../helpers/team-documents.ts';

export const TEAM = 'acme';

export interface TeamFixture {
  readonly url: string;
  readonly pool: pg.Pool;
  readonly server: TeamServer;
  readonly key: TeamKey;
  readonly tokens: { readonly admin: string; readonly alice: string; readonly bob: string };
  post(path: string, body: string, token?: string | null, headers?: Record<string, string>): Promise<Response>;
  get(path: string, token?: string | null, headers?: Record<string, string>): Promise<Response>;
  /** The value of one sample of /metrics (0 when absent). */
  metric(name: string, labels: string): Promise<number>;
  close(): Promise<void>;
}

let databases = 0;

export async function startTeamServer(
  postgres: TestPostgres,
  options: { readonly limits?: GateLimits } = {},
): Promise<TeamFixture> {
  databases += 1;
  const opened = await openTeamDb(await postgres.createDatabase(`team_${process.pid}_${databases}`));
  if (!opened.ok) throw new Error(opened.error);
  const pool = opened.pool;
  const key = await makeTeamKey();
  const token = async (name: string, admin: boolean): Promise<string> => {
    const added = await addMember(pool, name, admin);
    if (!added.ok) throw new Error(added.error);
    return added.token;
  };
  const tokens = {
    admin: await token('root', true),
    alice: await token('alice', false),
    bob: await token('bob', false),
  };
  const server = new TeamServer({
    pool,
    key: { publicKey: key.publicKey, team: TEAM },
    host: '127.0.0.1',
    port: 0,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  const url = await server.listen();
  const auth = (t: string | null | undefined): Record<string, string> =>
    t === null || t === undefined ? {} : { authorization: `Bearer ${t}` };
  const fixture: TeamFixture = {
    url,
    pool,
    server,
    key,
    tokens,
    post: (path, body, t = tokens.alice, headers = {}) =>
      fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth(t), ...headers },
        body,
      }),
    get: (path, t = tokens.admin, headers = {}) => fetch(url + path, { headers: { ...auth(t), ...headers } }),
    async metric(name, labels) {
      const text = await (await fixture.get('/metrics')).text();
      const line = text
        .split('\n')
        .find(
          (l) => l.startsWith(`${name}{${labels}}`) || l === `${name} ` || (l.startsWith(`${name} `) && labels === ''),
        );
      return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
    },
    close: () => server.stop(),
  };
  return fixture;
}
