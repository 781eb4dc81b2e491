// The team's published policy documents. A document is taken only when it verifies with the team's public key,
// matches the document schema and names this team (the same `verifyDocument` every desktop runs), and its version
// is above every published one: the signature is the authority, so whoever holds the private key publishes, and
// the server never holds that key. Each version is kept as signed; the newest is what members fetch.
import type pg from 'pg';
import { verifyDocument, type VerifyKey } from '../team-policy/verify-document.ts';

export interface PolicyVersion {
  readonly version: number;
  readonly sha256: string;
  readonly issuedAt: string | null;
  readonly expiresAt: string;
  readonly publishedAt: string;
}

export type PublishResult =
  | { readonly ok: true; readonly version: number }
  | { readonly ok: false; readonly status: number; readonly reason: string; readonly error: string };

/** Serializes publishing, so two documents of one version cannot both be taken. */
const PUBLISH_LOCK = 0x5357_5042;

export async function publishPolicy(pool: pg.Pool, jws: string, key: VerifyKey): Promise<PublishResult> {
  const verified = await verifyDocument(jws, key);
  if (!verified.ok) return { ok: false, status: 400, reason: verified.reason, error: verified.message };
  const { document } = verified;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [PUBLISH_LOCK]);
    const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM policy_versions');
    const newest = rows[0]?.v ?? null;
    if (newest !== null && document.version <= newest) {
      await client.query('ROLLBACK');
      return {
        ok: false,
        status: 409,
        reason: 'version',
        error: `the document's version ${document.version} is not above the newest published version ${newest}; publish it as version ${newest + 1} or higher`,
      };
    }
    await client.query(
      'INSERT INTO policy_versions (version, jws, sha256, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [document.version, jws.trim(), verified.digest, document.issuedAt ?? null, document.expiresAt],
    );
    await client.query('COMMIT');
    return { ok: true, version: document.version };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The newest published document as signed, and its payload's SHA-256 (the ETag); null before the first. */
export async function newestPolicy(pool: pg.Pool): Promise<{ readonly jws: string; readonly sha256: string } | null> {
  const { rows } = await pool.query<{ jws: string; sha256: string }>(
    'SELECT jws, sha256 FROM policy_versions ORDER BY version DESC LIMIT 1',
  );
  return rows[0] ?? null;
}

export async function policyVersion(pool: pg.Pool, version: number): Promise<string | null> {
  const { rows } = await pool.query<{ jws: string }>('SELECT jws FROM policy_versions WHERE version = $1', [version]);
  return rows[0]?.jws ?? null;
}

export async function listPolicyVersions(pool: pg.Pool): Promise<PolicyVersion[]> {
  const { rows } = await pool.query<{
    version: number;
    sha256: string;
    issued_at: Date | null;
    expires_at: Date;
    published_at: Date;
  }>('SELECT version, sha256, issued_at, expires_at, published_at FROM policy_versions ORDER BY version DESC');
  return rows.map((r) => ({
    version: r.version,
    sha256: r.sha256,
    issuedAt: r.issued_at?.toISOString() ?? null,
    expiresAt: r.expires_at.toISOString(),
    publishedAt: r.published_at.toISOString(),
  }));
}
