// The team dashboard's audit page on a team-sized trail: a private PostgreSQL (durable, as deployed) holding
// millions of records from 50 members on 100 installs, seeded by INSERT … SELECT from generate_series (one
// statement per core) with the indexes built afterwards (as a restore would), then a page of 100 through
// queryTeamAudit with each kind of filter. Seeding ten million records takes minutes, so the seeded cluster is kept
// in .bench-cache/ (named for the record count, the seeding SQL and the schema version, so any change seeds
// afresh) and later runs start it again and only query; `--fresh` (or deleting the folder) seeds again. Also runs
// on its own: `node bench/team-query.ts [--records N] [--fresh]`.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { openTeamDb } from '../main/team-server/team-db.ts';
import { queryTeamAudit, teamActivity, type TeamAuditQuery } from '../main/team-server/team-query.ts';
import { TEAM_MIGRATIONS } from '../main/team-server/team-schema.ts';
import { postgresMissing, startPostgres } from '../test/helpers/postgres.ts';
import { REPO_ROOT } from './paths.ts';

export interface TeamQueryBenchResult {
  readonly records: number;
  /** The seeded cluster came from .bench-cache/ (seeding times are those of the run that made it). */
  readonly cached: boolean;
  /** The INSERT … SELECT of every record, without indexes. */
  readonly seedSeconds: number;
  /** Building the schema's indexes (migrations 1 and 2) over them, and ANALYZE. */
  readonly indexSeconds: number;
  readonly tableMb: number;
  /** The Activity page's call (per member and per server), over the last hour and over the whole trail. */
  readonly activity: readonly { readonly name: string; readonly p50Ms: number; readonly p95Ms: number }[];
  readonly queries: readonly {
    readonly name: string;
    readonly p50Ms: number;
    readonly p95Ms: number;
    readonly found: number;
  }[];
}

const MEMBERS = 50;
const INSTALLS = 100;
/** Records are 10 ms apart, as in bench/audit.ts. */
const STEP_MS = 10;
const REPEATS = 21;
/** The activity call reads every record of its range: seconds on the whole trail, so fewer runs. */
const ACTIVITY_REPEATS = 3;

/**
 * The records of bench/audit.ts's trail, spread over members and installs: install k belongs to member k % 50;
 * clients, servers and tools cycle; one record in 50 a tool error, one in 997 a timeout; the arguments hold a path
 * and, one record in 1,000, a rare word.
 */
const SEED = `
  INSERT INTO audit (uid, member, install_id, local_id, ts, kind, method, outcome, client, server, target,
    arguments, decision, rule, duration_ms, request_bytes, response_bytes, prev_hash, hash)
  SELECT 'install-' || (i % ${INSTALLS}) || ':' || i || ':h' || i,
    'member-' || (i % ${INSTALLS} % ${MEMBERS}),
    'install-' || (i % ${INSTALLS}),
    i,
    $1::bigint + i * ${STEP_MS},
    'request', 'tools/call',
    CASE WHEN i % 997 = 0 THEN 'timeout' WHEN i % 50 = 0 THEN 'tool-error' ELSE 'ok' END,
    (ARRAY['cursor', 'claude-desktop', 'vscode', 'claude-code', 'ci-bot'])[i % 5 + 1],
    (ARRAY['fs', 'github', 'memory', 'everything', 'postgres', 'slack', 'linear', 'sentry'])[i % 8 + 1],
    (ARRAY['read_file', 'write_file', 'search', 'create_issue', 'list_items', 'query', 'send_message', 'get'])[(i * 7) % 8 + 1],
    '{"path":"/srv/project-' || (i % 5000) || '/file-' || i || '.txt","query":"'
      || CASE WHEN i % 1000 = 0 THEN 'needle-rare' ELSE 'hay' END || '"}',
    'allow', 'default', (i % 200) / 10.0, 60, 120, 'p', 'h'
  FROM generate_series($2::bigint, $3::bigint) AS i`;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function timeQuery(pool: pg.Pool, query: TeamAuditQuery) {
  const times: number[] = [];
  let found = 0;
  // One unmeasured run: the first reads pages from disk into the cache and sets hint bits.
  await queryTeamAudit(pool, { limit: 100, ...query });
  for (let i = 0; i < REPEATS; i += 1) {
    const t0 = performance.now();
    const page = await queryTeamAudit(pool, { limit: 100, ...query });
    times.push(performance.now() - t0);
    if (!page.ok) throw new Error(page.error);
    found = page.value.records.length;
  }
  times.sort((a, b) => a - b);
  return { p50Ms: percentile(times, 0.5), p95Ms: percentile(times, 0.95), found };
}

async function timeActivity(pool: pg.Pool, since: number, until: number) {
  const times: number[] = [];
  for (let i = 0; i < ACTIVITY_REPEATS; i += 1) {
    const t0 = performance.now();
    await teamActivity(pool, since, until);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50Ms: percentile(times, 0.5), p95Ms: percentile(times, 0.95) };
}

/** The schema's indexes, dropped before seeding and made again after, exactly as the migrations define them. */
async function dropIndexes(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string; def: string; constraint: boolean }>(
    `SELECT i.indexname AS name, i.indexdef AS def,
       EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) AS constraint
     FROM pg_indexes i WHERE i.tablename = 'audit'`,
  );
  const rebuild: string[] = [];
  for (const row of rows) {
    if (row.constraint) {
      const { rows: defs } = await pool.query<{ def: string }>(
        'SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = $1',
        [row.name],
      );
      await pool.query(`ALTER TABLE audit DROP CONSTRAINT ${row.name}`);
      rebuild.push(`ALTER TABLE audit ADD CONSTRAINT ${row.name} ${defs[0]!.def}`);
    } else {
      await pool.query(`DROP INDEX ${row.name}`);
      rebuild.push(row.def);
    }
  }
  return rebuild;
}

/** Members, installs and `records` records; the indexes built after the rows. Returns the trail's first ts. */
export async function seedTeamTrail(
  pool: pg.Pool,
  records: number,
  log: (message: string) => void,
): Promise<{ start: number; seedSeconds: number; indexSeconds: number }> {
  // Index builds sort in memory rather than in temporary files, as a tuned server's would.
  await pool.query("ALTER SYSTEM SET maintenance_work_mem = '512MB'");
  await pool.query('SELECT pg_reload_conf()');
  for (let k = 0; k < INSTALLS; k += 1) {
    await pool.query('INSERT INTO members (name, token_hash) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
      `member-${k % MEMBERS}`,
      `hash-${k % MEMBERS}`,
    ]);
    await pool.query(
      `INSERT INTO installs (install_id, member_id, host, app_version) SELECT $1, id, $2, '1.0.0' FROM members WHERE name = $3`,
      [`install-${k}`, `host-${k}`, `member-${k % MEMBERS}`],
    );
  }
  const rebuild = await dropIndexes(pool);
  const start = Date.now() - records * STEP_MS;
  log(`team query: seeding ${records.toLocaleString('en')} records (INSERT … SELECT, durable PostgreSQL)`);
  let began = performance.now();
  // One statement per core: computing each record's words (migration 2) is most of the cost, and one statement
  // runs on one core.
  const half = Math.floor(records / 2);
  await Promise.all([pool.query(SEED, [start, 1, half]), pool.query(SEED, [start, half + 1, records])]);
  const seedSeconds = (performance.now() - began) / 1000;
  log(`team query: seeded in ${seedSeconds.toFixed(1)} s; building ${rebuild.length} indexes`);
  began = performance.now();
  for (const statement of rebuild) {
    const t0 = performance.now();
    await pool.query(statement);
    log(`team query:   ${((performance.now() - t0) / 1000).toFixed(1)} s  ${statement.slice(0, 90)}`);
  }
  await pool.query('ANALYZE audit');
  return { start, seedSeconds, indexSeconds: (performance.now() - began) / 1000 };
}

interface Seeded {
  readonly start: number;
  readonly seedSeconds: number;
  readonly indexSeconds: number;
}

/** Where the seeded cluster for `records` is kept: any change to the seeding or the schema names another folder. */
function cacheDir(records: number): string {
  const key = createHash('sha256')
    .update(JSON.stringify([SEED, MEMBERS, INSTALLS, STEP_MS, TEAM_MIGRATIONS.map((m) => m.sql)]))
    .digest('hex')
    .slice(0, 12);
  return join(REPO_ROOT, '.bench-cache', `team-query-${records}-${key}`);
}

export async function benchTeamQuery(
  records: number,
  log: (message: string) => void,
  options: { readonly fresh?: boolean } = {},
): Promise<TeamQueryBenchResult> {
  const dir = cacheDir(records);
  const marker = join(dir, 'seeded.json');
  if (options.fresh === true || !existsSync(marker)) await rm(dir, { recursive: true, force: true });
  const cached = existsSync(marker);
  if (cached) log(`team query: reusing the seeded cluster in ${dir} (--fresh seeds again)`);
  const server = await startPostgres({ durable: true, keepAt: dir });
  try {
    const opened = await openTeamDb(server.url, { max: 4 });
    if (!opened.ok) throw new Error(opened.error);
    const pool = opened.pool;
    try {
      let seeded: Seeded;
      if (cached) {
        seeded = JSON.parse(await readFile(marker, 'utf8')) as Seeded;
      } else {
        seeded = await seedTeamTrail(pool, records, log);
        // Written last: a run stopped while seeding leaves no marker, and the next run starts over.
        await writeFile(marker, JSON.stringify(seeded));
      }
      const { start, seedSeconds, indexSeconds } = seeded;
      const { rows } = await pool.query<{ mb: string }>("SELECT pg_total_relation_size('audit') / 1048576 AS mb");
      log(`team query: indexes in ${indexSeconds.toFixed(1)} s; pages of 100 with each filter`);
      const mid = start + Math.floor(records / 2) * STEP_MS;
      const first = await queryTeamAudit(pool, { member: 'member-7', limit: 1000 });
      if (!first.ok || first.value.next === null) throw new Error('team query: no second page to measure');
      const cases: [string, TeamAuditQuery][] = [
        ['no filter', {}],
        ['member', { member: 'member-7' }],
        ['server + tool', { server: 'github', target: 'get' }],
        ['outcome (rare: timeout)', { outcome: 'timeout' }],
        ['time range (a minute, mid-trail)', { since: mid, until: mid + 60_000 }],
        ['member + time range', { member: 'member-7', since: mid, until: mid + 600_000 }],
        ['text, common word', { text: 'hay' }],
        ['text, rare word', { text: 'needle-rare' }],
        ['member + outcome + text', { member: 'member-0', outcome: 'tool-error', text: 'project-42' }],
        ['second page (cursor)', { member: 'member-7', cursor: first.value.next }],
      ];
      const queries = [];
      for (const [name, query] of cases) queries.push({ name, ...(await timeQuery(pool, query)) });
      const end = start + records * STEP_MS;
      const activity = [
        { name: 'activity, last hour', ...(await timeActivity(pool, end - 3_600_000, end)) },
        { name: 'activity, whole trail', ...(await timeActivity(pool, start, end)) },
      ];
      return { records, cached, seedSeconds, indexSeconds, tableMb: Number(rows[0]!.mb), queries, activity };
    } finally {
      await pool.end();
    }
  } finally {
    await server.stop();
  }
}

export function formatTeamQuery(r: TeamQueryBenchResult): string {
  const lines = [
    '',
    `team audit page (${r.records.toLocaleString('en')} records in PostgreSQL, ${MEMBERS} members, ${INSTALLS} installs)`,
    `  seeding: ${r.seedSeconds.toFixed(1)} s for the rows, ${r.indexSeconds.toFixed(1)} s for the indexes; ${r.tableMb.toLocaleString('en')} MB with indexes` +
      (r.cached ? ' (seeded by an earlier run, kept in .bench-cache/)' : ''),
    '  page of 100                                   p50 ms    p95 ms   found',
    ...r.queries.map(
      (q) =>
        `  ${q.name.padEnd(44)} ${q.p50Ms.toFixed(2).padStart(6)}  ${q.p95Ms.toFixed(2).padStart(8)}   ${String(q.found).padStart(5)}`,
    ),
    ...r.activity.map(
      (a) => `  ${a.name.padEnd(44)} ${a.p50Ms.toFixed(2).padStart(6)}  ${a.p95Ms.toFixed(2).padStart(8)}`,
    ),
    '',
  ];
  return lines.join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { records: { type: 'string', default: '10000000' }, fresh: { type: 'boolean', default: false } },
  });
  const missing = postgresMissing();
  if (missing !== null) {
    process.stderr.write(`team query bench: ${missing}\n`);
    process.exit(2);
  }
  const began = performance.now();
  const result = await benchTeamQuery(
    Number(values.records),
    (m) => process.stderr.write(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${m}\n`),
    { fresh: values.fresh },
  );
  process.stdout.write(formatTeamQuery(result));
  process.stdout.write(`(whole run ${((performance.now() - began) / 1000).toFixed(1)} s)\n`);
}
