// Storing one checked batch in one transaction: the install is bound to the member who first sent it, the batch's
// first new record must link to what was received before (or its gap or restart is kept as a chain break), and
// every record is inserted by uid, `ON CONFLICT (uid) DO NOTHING`, so a batch sent again is stored once. The
// install's row is locked first, so two batches of one install are taken one after the other.
import type pg from 'pg';
import type { IngestBatch, IngestRecord } from './ingest-batch.ts';
import { refusal, type Refusal } from './ingest-refusal.ts';
import type { Member } from './members.ts';

export type StoreResult =
  | { readonly ok: true; readonly stored: number; readonly duplicates: number; readonly breaks: number }
  | { readonly ok: false; readonly refusal: Refusal };

interface InstallRow {
  readonly member_id: number;
  readonly last_local_id: string;
  readonly last_hash: string | null;
}

interface ChainBreak {
  readonly localId: number;
  readonly kind: 'gap' | 'restart';
  readonly detail: string;
}

/** The newest team policy version the records say was enforced: `detail.team.version`, and applied documents. */
export function policyVersionOf(records: readonly IngestRecord[]): number | null {
  let newest: number | null = null;
  const consider = (value: unknown): void => {
    if (typeof value === 'number' && Number.isInteger(value) && value > 0 && (newest === null || value > newest)) {
      newest = value;
    }
  };
  for (const record of records) {
    const detail = record.detail as { team?: { version?: unknown }; version?: unknown } | null;
    consider(detail?.team?.version);
    if (record.method === 'team-policy-applied') consider(detail?.version);
  }
  return newest;
}

/** Where the new records do not continue the chain received so far, or refused when they contradict it. */
function breaksOf(
  records: readonly IngestRecord[],
  held: ReadonlySet<string>,
  last: { id: number; hash: string | null },
): { breaks: ChainBreak[] } | { refusal: Refusal } {
  const breaks: ChainBreak[] = [];
  let previous: IngestRecord | null = null;
  for (const record of records) {
    if (held.has(record.uid)) {
      previous = record;
      continue;
    }
    if (previous !== null) {
      // Linked to a record of this batch (checked already), or after a gap in the desktop's own log.
      if (record.id > previous.id + 1) {
        breaks.push({
          localId: record.id,
          kind: 'gap',
          detail: `records ${previous.id + 1} to ${record.id - 1} were not received`,
        });
      }
    } else if (record.id <= last.id) {
      breaks.push({
        localId: record.id,
        kind: 'restart',
        detail: `record ${record.id} is new, and records up to ${last.id} were received before: the desktop's audit log started afresh`,
      });
    } else if (record.id === last.id + 1) {
      if (last.hash !== null && record.prevHash !== last.hash) {
        return {
          refusal: refusal(
            409,
            'chain',
            `record ${record.id} does not link to record ${last.id} as received before: the desktop's log was edited after it was sent`,
          ),
        };
      }
    } else {
      breaks.push({
        localId: record.id,
        kind: 'gap',
        detail: `records ${last.id + 1} to ${record.id - 1} were not received (removed by retention before they were sent?)`,
      });
    }
    previous = record;
  }
  return { breaks };
}

const COLUMNS = [
  ['uid', 'text'],
  ['member', 'text'],
  ['install_id', 'text'],
  ['local_id', 'bigint'],
  ['ts', 'bigint'],
  ['kind', 'text'],
  ['method', 'text'],
  ['outcome', 'text'],
  ['client', 'text'],
  ['server', 'text'],
  ['target', 'text'],
  ['arguments', 'text'],
  ['decision', 'text'],
  ['rule', 'text'],
  ['duration_ms', 'float8'],
  ['request_bytes', 'bigint'],
  ['response_bytes', 'bigint'],
  ['error', 'text'],
  ['error_detail', 'text'],
  ['protocol_version', 'text'],
  ['session_id', 'text'],
  ['detail', 'text'],
  ['prev_hash', 'text'],
  ['hash', 'text'],
] as const;

/** One multi-row insert: a parameter per column, each an array (unnest), whatever the batch's size. */
const INSERT = `INSERT INTO audit (${COLUMNS.map(([name]) => name).join(', ')})
  SELECT * FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
  ON CONFLICT (uid) DO NOTHING`;

function columnsOf(records: readonly IngestRecord[], installId: string, uploader: string): unknown[][] {
  const member = (r: IngestRecord): string => (typeof r.member === 'string' && r.member !== '' ? r.member : uploader);
  const pick: ((r: IngestRecord) => unknown)[] = [
    (r) => r.uid,
    member,
    () => installId,
    (r) => r.id,
    (r) => r.ts,
    (r) => r.kind,
    (r) => r.method,
    (r) => r.outcome,
    (r) => r.client,
    (r) => r.server,
    (r) => r.target,
    (r) => r.arguments,
    (r) => r.decision,
    (r) => r.rule,
    (r) => r.durationMs,
    (r) => r.requestBytes,
    (r) => r.responseBytes,
    (r) => r.error,
    (r) => r.errorDetail,
    (r) => r.protocolVersion,
    (r) => r.sessionId,
    (r) => (r.detail === null ? null : JSON.stringify(r.detail)),
    (r) => r.prevHash,
    (r) => r.hash,
  ];
  return pick.map((get) => records.map(get));
}

async function inTransaction(client: pg.PoolClient, batch: IngestBatch, member: Member): Promise<StoreResult> {
  const { installId, host, version } = batch.source;
  await client.query(
    `INSERT INTO installs (install_id, member_id, host, app_version) VALUES ($1, $2, $3, $4)
     ON CONFLICT (install_id) DO NOTHING`,
    [installId, member.id, host, version],
  );
  const { rows } = await client.query<InstallRow>(
    'SELECT member_id, last_local_id, last_hash FROM installs WHERE install_id = $1 FOR UPDATE',
    [installId],
  );
  const install = rows[0]!;
  if (install.member_id !== member.id) {
    return {
      ok: false,
      refusal: refusal(
        403,
        'install-owner',
        `install ${installId} sends its records with another member's token; each desktop uploads with the token of the member it was first seen with`,
      ),
    };
  }
  const uids = batch.records.map((r) => r.uid);
  const found = await client.query<{ uid: string }>('SELECT uid FROM audit WHERE uid = ANY($1::text[])', [uids]);
  const held = new Set(found.rows.map((r) => r.uid));
  const fresh = batch.records.filter((r) => !held.has(r.uid));
  if (fresh.length === 0) return { ok: true, stored: 0, duplicates: batch.records.length, breaks: 0 };
  const linked = breaksOf(batch.records, held, { id: Number(install.last_local_id), hash: install.last_hash });
  if ('refusal' in linked) return { ok: false, refusal: linked.refusal };
  const inserted = await client.query(INSERT, columnsOf(fresh, installId, member.name));
  for (const b of linked.breaks) {
    await client.query('INSERT INTO chain_breaks (install_id, local_id, kind, detail) VALUES ($1, $2, $3, $4)', [
      installId,
      b.localId,
      b.kind,
      b.detail,
    ]);
  }
  const newest = batch.records[batch.records.length - 1]!;
  await client.query(
    `UPDATE installs SET host = $2, app_version = $3, last_seen = now(), last_local_id = $4, last_hash = $5,
       policy_version = GREATEST(policy_version, $6::integer), breaks = breaks + $7
     WHERE install_id = $1`,
    [installId, host, version, newest.id, newest.hash, policyVersionOf(fresh), linked.breaks.length],
  );
  const stored = inserted.rowCount ?? 0;
  return { ok: true, stored, duplicates: batch.records.length - stored, breaks: linked.breaks.length };
}

/** Stores a batch whose records passed `checkBatchChain`; resolves only after COMMIT (or the rollback). */
export async function storeBatch(pool: pg.Pool, batch: IngestBatch, member: Member): Promise<StoreResult> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await inTransaction(client, batch, member);
    await client.query(result.ok ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    // A connection the database dropped goes, rather than back to the pool for the next batch to fail on.
    client.release(broken);
  }
}
