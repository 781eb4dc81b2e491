// The team's members and their tokens. A token is `sbm_` and 32 random bytes (base64url), shown once when issued;
// the database keeps only its SHA-256, so a copy of the database opens nothing. `member add|list|revoke` use these
// against the database directly, and the server asks `authenticate` for every request that carries a token.
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

export const MEMBER_TOKEN_PREFIX = 'sbm_';
const TOKEN_SHAPE = /^sbm_[A-Za-z0-9_-]{43}$/;
const NAME_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export interface Member {
  readonly id: number;
  readonly name: string;
  readonly admin: boolean;
}

export interface MemberRow extends Member {
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export function newMemberToken(): string {
  return MEMBER_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Null when `name` may name a member, else what is wrong with it. */
export function memberNameProblem(name: string): string | null {
  return NAME_SHAPE.test(name)
    ? null
    : `member name "${name}" must be 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`;
}

export type AddResult =
  | { readonly ok: true; readonly member: Member; readonly token: string }
  | { readonly ok: false; readonly error: string };

export async function addMember(pool: pg.Pool, name: string, admin: boolean): Promise<AddResult> {
  const problem = memberNameProblem(name);
  if (problem !== null) return { ok: false, error: problem };
  const token = newMemberToken();
  const { rows } = await pool.query<{ id: number }>(
    'INSERT INTO members (name, token_hash, admin) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING id',
    [name, tokenHash(token), admin],
  );
  if (rows[0] === undefined) {
    return { ok: false, error: `a member named "${name}" exists already (revoked names stay taken); choose another` };
  }
  return { ok: true, member: { id: rows[0].id, name, admin }, token };
}

export async function listMembers(pool: pg.Pool): Promise<MemberRow[]> {
  const { rows } = await pool.query<{
    id: number;
    name: string;
    admin: boolean;
    created_at: Date;
    revoked_at: Date | null;
  }>('SELECT id, name, admin, created_at, revoked_at FROM members ORDER BY name');
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    admin: r.admin,
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}

/** True when a member was revoked now; false when there is no such member or it was revoked before. */
export async function revokeMember(pool: pg.Pool, name: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    'UPDATE members SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL',
    [name],
  );
  return (rowCount ?? 0) > 0;
}

/** The member a bearer token belongs to; null for a token that is malformed, unknown or revoked. */
export async function authenticate(pool: pg.Pool, token: string | null): Promise<Member | null> {
  if (token === null || !TOKEN_SHAPE.test(token)) return null;
  const { rows } = await pool.query<Member>(
    'SELECT id, name, admin FROM members WHERE token_hash = $1 AND revoked_at IS NULL',
    [tokenHash(token)],
  );
  return rows[0] ?? null;
}

/** The token of `Authorization: Bearer …`, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/** A member by id while not revoked: a dashboard session is only as good as its member's standing now. */
export async function memberById(pool: pg.Pool, id: number): Promise<Member | null> {
  const { rows } = await pool.query<Member>(
    'SELECT id, name, admin FROM members WHERE id = $1 AND revoked_at IS NULL',
    [id],
  );
  return rows[0] ?? null;
}
