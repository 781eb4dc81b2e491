// The whole team loop with real processes: a `team-server` over a real PostgreSQL, its admin making the key,
// members and policy with the CLI, and two desktops (two `serve` processes, each with its own data directory and
// its member's token in its own vault) enrolled in the team. Their tool calls, made with the MCP SDK client, reach
// the team's `audit` table; then the team server is killed with SIGKILL while uploads are in flight and started
// again, and every record of each desktop's audit.db is held in PostgreSQL exactly once.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import pg from 'pg';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { API_PREFIX, CSRF_HEADER } from '../../../preload/contract.ts';
import type { TeamAuditPageView, TeamPolicyStatusView } from '../../../preload/team-contract.ts';
import { PASSPHRASE_ENV } from '../../../main/vault/file-vault.ts';
import { openVault } from '../../../main/vault/open-vault.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import { skipWithoutPostgres, startPostgres } from '../../helpers/postgres.ts';
import { freePort, startTeamServerProcess, type TeamServerProcess } from '../../helpers/team-server-process.ts';
import { runBin, startServe, type ServeProcess } from '../cli/serve-process.ts';
import { waitUntil } from '../gateway/support.ts';

const TEAM = 'acme';
const VAULT_ENV = { [PASSPHRASE_ENV]: 'team-loop-passphrase' };
const FAST_UPLOAD = { batchSize: 10, intervalMs: 100, timeoutMs: 5_000, initialBackoffMs: 50, maxBackoffMs: 300 };

interface Desktop {
  readonly member: string;
  readonly dir: string;
  readonly serve: ServeProcess;
  readonly client: Client;
  /** Made by the desktop when it first uploads. */
  installId: string;
}

function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return runBin(args, env).then((r) => {
    assert.equal(r.code, 0, `switchboard ${args.join(' ')}: ${r.err}`);
    return r.out;
  });
}

/** Every record of the desktop's audit.db as its uid (read-only, beside the running serve). */
function localUids(d: Desktop): string[] {
  const db = new Database(dataDirPaths(d.dir).audit, { readonly: true });
  try {
    const rows = db.prepare('SELECT id, hash FROM audit ORDER BY id').all() as { id: number; hash: string }[];
    return rows.map((r) => `${d.installId}:${r.id}:${r.hash}`);
  } finally {
    db.close();
  }
}

async function teamUids(pool: pg.Pool, installId: string): Promise<{ uid: string; member: string }[]> {
  const { rows } = await pool.query<{ uid: string; member: string }>(
    'SELECT uid, member FROM audit WHERE install_id = $1 ORDER BY local_id',
    [installId],
  );
  return rows;
}

async function desktop(
  t: { after(fn: () => unknown): void },
  member: string,
  memberToken: string,
  enroll: readonly string[],
): Promise<Desktop> {
  const dir = await mkdtemp(join(tmpdir(), `switchboard-team-${member}-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = { vault: 'file' as const, servers: { echo: fixtureServer('echo') }, audit: { upload: FAST_UPLOAD } };
  assert.ok((await writeConfig(dataDirPaths(dir).config, config)).ok);
  // What `switchboard secret set TEAM_TOKEN` does, without a terminal to type the token into.
  const stored = await openVault({ backend: 'file', dataDir: dir, env: VAULT_ENV }).set('TEAM_TOKEN', memberToken);
  assert.ok(stored.ok);
  await cli([...enroll, '--data-dir', dir]);
  const clientToken = (
    JSON.parse(await cli(['token', 'create', 'ide', '--json', '--data-dir', dir])) as { token: string }
  ).token;
  const serve = await startServe(dir, VAULT_ENV);
  t.after(() => serve.child.kill('SIGKILL'));
  const client = new Client({ name: `ide-${member}`, version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(serve.url), {
      requestInit: { headers: { authorization: `Bearer ${clientToken}` } },
    }),
  );
  t.after(() => client.close().catch(() => undefined));
  return { member, dir, serve, client, installId: '' };
}

/** Waits until the team holds exactly the desktop's local records, no more and none twice. */
async function allHeld(pool: pg.Pool, d: Desktop, timeoutMs: number): Promise<void> {
  await waitUntil(
    async () => {
      const local = localUids(d);
      const held = (await teamUids(pool, d.installId)).map((r) => r.uid);
      return local.length > 0 && held.length === local.length && local.every((uid, i) => held[i] === uid);
    },
    `every record of ${d.member}'s audit.db in the team database`,
    timeoutMs,
  );
}

test(
  'two enrolled desktops upload to the team server; after a kill -9 of it every record is held exactly once',
  { skip: skipWithoutPostgres() },
  async (t) => {
    const postgres = await startPostgres();
    t.after(() => postgres.stop());
    const work = await mkdtemp(join(tmpdir(), 'switchboard-team-admin-'));
    t.after(() => rm(work, { recursive: true, force: true }));
    const db = { SWITCHBOARD_TEAM_DATABASE_URL: postgres.url };

    // The admin: a key pair, the server, two members, and a policy naming the upload endpoint.
    const keyFile = join(work, 'team.pem');
    const publicKey = (JSON.parse(await cli(['policy', 'keygen', '--out', keyFile, '--json'])) as { publicKey: string })
      .publicKey;
    const port = await freePort();
    const start = (): Promise<TeamServerProcess> =>
      startTeamServerProcess({ databaseUrl: postgres.url, team: TEAM, publicKey, port });
    let server = await start();
    t.after(() => server.child.kill('SIGKILL'));
    const token = async (name: string): Promise<string> =>
      (JSON.parse(await cli(['team-server', 'member', 'add', name, '--json'], db)) as { token: string }).token;
    const alice = await token('alice');
    const bob = await token('bob');
    const docFile = join(work, 'policy.json');
    const document = {
      team: TEAM,
      version: 1,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      audit: { uploadUrl: `${server.url}/audit/ingest`, uploadTokenSecret: 'TEAM_TOKEN' },
    };
    await writeFile(docFile, JSON.stringify(document));
    assert.match(
      await cli(['policy', 'publish', docFile, '--key', keyFile, '--to', server.url]),
      /published version 1/,
    );
    const listed = await cli(['team-server', 'member', 'list'], db);
    assert.match(listed, /alice/);
    assert.doesNotMatch(listed, new RegExp(alice.slice(4, 20)), 'a listing never shows a token');

    // The members: each desktop enrolled, with its own token in its own vault.
    const enroll = ['policy', 'enroll', `${server.url}/policy`, '--team', TEAM, '--key', publicKey, '--poll', '1'];
    const desktops = [await desktop(t, 'alice', alice, enroll), await desktop(t, 'bob', bob, enroll)];
    const pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
    // The database stops when the test ends, perhaps before an idle connection of this pool notices.
    pool.on('error', () => undefined);
    t.after(() => pool.end());

    const call = (d: Desktop, text: string) => d.client.callTool({ name: 'echo__echo', arguments: { text } });
    for (const d of desktops) {
      // Until the team's document is applied every call is refused; it is fetched at start.
      await waitUntil(
        () =>
          call(d, 'first').then(
            () => true,
            () => false,
          ),
        `${d.member}'s team policy applied`,
        20_000,
      );
      for (let i = 0; i < 10; i += 1) await call(d, `${d.member}-${i}`);
    }
    for (const d of desktops) {
      d.installId = await waitUntil(
        () => existsSync(join(d.dir, 'install-id')) && readFileSync(join(d.dir, 'install-id'), 'utf8').trim(),
        `${d.member}'s install id`,
        20_000,
      );
      await waitUntil(
        async () => (await teamUids(pool, d.installId)).filter((r) => r.member === d.member).length >= 11,
        `${d.member}'s calls in the team's audit table`,
        20_000,
      );
    }

    // Calls keep coming while the team server is killed mid-upload and started again on the same address.
    let calling = true;
    const load = desktops.map(async (d) => {
      for (let i = 0; calling; i += 1) await call(d, `${d.member}-load-${i}`);
    });
    const before = await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit');
    await waitUntil(
      async () => {
        const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit');
        return Number(rows[0]!.n) >= Number(before.rows[0]!.n) + 20;
      },
      'uploads under way',
      20_000,
    );
    server.child.kill('SIGKILL');
    await server.exited;
    for (const d of desktops) await call(d, `${d.member}-while-down`);
    server = await start();
    for (const d of desktops) await call(d, `${d.member}-after-restart`);
    calling = false;
    await Promise.all(load);

    for (const d of desktops) await allHeld(pool, d, 60_000);
    const { rows } = await pool.query<{ n: string; distinct_uids: string; members: string }>(
      "SELECT count(*) AS n, count(DISTINCT uid) AS distinct_uids, string_agg(DISTINCT member, ',' ORDER BY member) AS members FROM audit",
    );
    const local = desktops.reduce((sum, d) => sum + localUids(d).length, 0);
    assert.deepEqual(rows[0], { n: String(local), distinct_uids: String(local), members: 'alice,bob' });
    const { rows: breaks } = await pool.query('SELECT * FROM chain_breaks');
    assert.deepEqual(breaks, [], 'no chain broke: the records arrived whole and in order');

    // The team dashboard of the same process: the admin's link becomes a cookie, the page opens in team mode, and
    // its calls see both members' records and which policy version each desktop runs.
    const adminToken = (
      JSON.parse(await cli(['team-server', 'member', 'add', 'lead', '--admin', '--json'], db)) as {
        token: string;
      }
    ).token;
    const signIn = await fetch(`${server.url}/?token=${adminToken}`, { redirect: 'manual' });
    assert.equal(signIn.status, 303);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(`${server.url}/`, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /name="switchboard-mode" content="team"/);
    const api = async <T>(method: string, input: unknown): Promise<T> => {
      const response = await fetch(`${server.url}${API_PREFIX}${method}`, {
        method: 'POST',
        headers: { cookie, [CSRF_HEADER]: '1', 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const answer = (await response.json()) as { ok: boolean; value: T; error?: string };
      assert.equal(answer.ok, true, answer.error);
      return answer.value;
    };
    const bobs = await api<TeamAuditPageView>('teamAudit', { member: 'bob', limit: 5 });
    assert.equal(bobs.records.length, 5);
    assert.ok(bobs.records.every((r) => r.member === 'bob'));
    const policy = await api<TeamPolicyStatusView>('teamPolicy', {});
    assert.deepEqual(
      policy.versions.map((v) => v.version),
      [1],
    );
    assert.deepEqual(policy.installs.map((i) => [i.member, i.policyVersion]).sort(), [
      ['alice', 1],
      ['bob', 1],
    ]);
    const member = await fetch(`${server.url}/?token=${alice}`, { redirect: 'manual' });
    assert.equal(member.status, 401, 'a member token that is not an admin opens no dashboard');

    server.child.kill('SIGTERM');
    assert.deepEqual(await server.exited, { code: 0, signal: null }, 'SIGTERM drains and exits 0');
  },
);
