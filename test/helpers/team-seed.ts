// Audit records as the team server holds them, written straight into its tables for tests of what reads them
// (the team dashboard's queries), without going through ingest: members, their installs and records.
import type pg from 'pg';

export interface SeedRecord {
  readonly id: number;
  readonly ts: number;
  readonly member: string;
  readonly install: string;
  readonly kind?: string;
  readonly method?: string | null;
  readonly outcome?: string;
  readonly client?: string | null;
  readonly server?: string | null;
  readonly target?: string | null;
  readonly arguments?: string | null;
  readonly durationMs?: number | null;
  readonly error?: string | null;
}

/** The same record in every column both databases share, defaults filled in. */
export function fullRecord(r: SeedRecord) {
  return {
    kind: 'request',
    method: 'tools/call',
    outcome: 'ok',
    client: null,
    server: null,
    target: null,
    arguments: null,
    durationMs: null,
    error: null,
    ...r,
  };
}

/** Members (by name, made admins when listed in `admins`), an install per distinct install id, and the records. */
export async function seedTeam(
  pool: pg.Pool,
  records: readonly SeedRecord[],
  options: { readonly admins?: readonly string[]; readonly policyVersions?: Readonly<Record<string, number>> } = {},
): Promise<void> {
  const installs = new Map<string, string>();
  for (const r of records) installs.set(r.install, r.member);
  for (const member of new Set(installs.values())) {
    await pool.query(
      'INSERT INTO members (name, token_hash, admin) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
      [member, `hash-of-${member}`, options.admins?.includes(member) ?? false],
    );
  }
  for (const [install, member] of installs) {
    await pool.query(
      `INSERT INTO installs (install_id, member_id, host, app_version, policy_version)
       SELECT $1, id, $2, '1.2.3', $3 FROM members WHERE name = $4 ON CONFLICT DO NOTHING`,
      [install, `host-${install}`, options.policyVersions?.[install] ?? null, member],
    );
  }
  // In batches: one statement per record would make a large seed slow.
  for (let i = 0; i < records.length; i += 500) {
    const batch = records.slice(i, i + 500).map(fullRecord);
    await pool.query(
      `INSERT INTO audit (uid, member, install_id, local_id, ts, kind, method, outcome, client, server, target,
         arguments, duration_ms, error, prev_hash, hash)
       SELECT r.install || ':' || r.id || ':h' || r.id, r.member, r.install, r.id, r.ts, r.kind, r.method, r.outcome,
         r.client, r.server, r.target, r.arguments, r."durationMs", r.error, 'p', 'h' || r.id
       FROM json_to_recordset($1::json) AS r(id bigint, ts bigint, member text, install text, kind text, method text,
         outcome text, client text, server text, target text, arguments text, "durationMs" double precision,
         error text)
       ORDER BY r.ts, r.id`,
      [JSON.stringify(batch)],
    );
  }
}
