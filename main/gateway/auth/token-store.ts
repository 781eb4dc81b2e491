// Client tokens: minted once, shown once, kept only as salted HMAC digests in tokens.json (security test T3).
// The file is shared by the CLI and a running gateway; the gateway re-reads it when it changes, so a token
// revoked from another terminal stops working at once (T2). The watcher closes the sessions of a revoked token;
// `verify` also checks that the file is unchanged before trusting what it read, because a watcher reports a
// change only some milliseconds later and the request right after a revoke must already be refused.
import { randomBytes, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../fs/atomic-write.ts';
import { digestToken, digestsEqual, saltKey, sameSecret } from './token-digest.ts';
import { EXTERNAL_ID_PREFIX, mintToken, parseToken, type TokenKind } from './token-format.ts';

const CLIENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The client name the dashboard's own calls are audited under; no token in the file may take it. */
export const DASHBOARD_CLIENT = 'dashboard';

const recordSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  name: z.string(),
  kind: z.enum(['client', 'control']),
  salt: z.string(),
  digest: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  /** Files written before expiry existed have no such field: those tokens never expire. */
  expiresAt: z.string().nullable().default(null),
});
const fileSchema = z.object({ version: z.literal(1), tokens: z.array(recordSchema) });

export type TokenRecord = z.infer<typeof recordSchema>;

/** What a caller may see about a token: never the secret, never the digest. */
export interface TokenInfo {
  readonly name: string;
  readonly kind: TokenKind;
  readonly id: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  readonly expiresAt: string | null;
}

export type VerifyResult =
  | { readonly ok: true; readonly name: string; readonly kind: TokenKind; readonly id: string }
  | { readonly ok: false; readonly reason: 'malformed' | 'unknown' | 'revoked' | 'expired' | 'wrong-kind' };

/** What checking a token needs of its record, decoded once: verify runs on every request. */
interface CheckMaterial {
  readonly salt: string;
  readonly key: KeyObject;
  readonly digest: Buffer;
  /** The secret that last matched the digest, or null before any did. */
  verified: Buffer | null;
}

/** How long a watched store goes without checking its file when no change event came. */
const RECHECK_MS = 100;

export type StoreResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export class TokenStore extends EventEmitter<{ change: [] }> {
  readonly #path: string;
  #records = new Map<string, TokenRecord>();
  /** Tokens of this run only (the dashboard's client), never written to the file. */
  readonly #ephemeral = new Map<string, TokenRecord>();
  readonly #material = new Map<string, CheckMaterial>();
  #watcher: FSWatcher | null = null;
  #debounce: NodeJS.Timeout | null = null;
  /** Identity of the file content last read (inode, mtime, size), so a stale view is noticed with one stat. */
  #loaded = '';
  /** While watching: a change event came in since the last stat, and when that stat was (performance.now()). */
  #changed = true;
  #statAt = -Infinity;

  constructor(path: string) {
    super();
    this.#path = path;
    this.reload();
  }

  /** Re-reads the file; a damaged file keeps the tokens last read, so a bad edit cannot lock every client out. */
  reload(): StoreResult<number> {
    this.#loaded = this.#fileIdentity();
    if (!existsSync(this.#path)) {
      this.#records = new Map();
      return { ok: true, value: 0 };
    }
    let parsed: z.infer<typeof fileSchema>;
    try {
      const result = fileSchema.safeParse(JSON.parse(readFileSync(this.#path, 'utf8')));
      if (!result.success) {
        const issue = result.error.issues[0];
        return { ok: false, error: `${this.#path}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}` };
      }
      parsed = result.data;
    } catch (error) {
      return { ok: false, error: `${this.#path}: ${(error as Error).message}` };
    }
    this.#records = new Map(parsed.tokens.map((r) => [r.id, r]));
    return { ok: true, value: this.#records.size };
  }

  async create(
    name: string,
    kind: TokenKind = 'client',
    options: { readonly expiresAt?: Date } = {},
  ): Promise<StoreResult<{ token: string; info: TokenInfo }>> {
    if (!CLIENT_NAME_PATTERN.test(name)) {
      return { ok: false, error: `invalid name "${name}": use 1-64 characters of A-Z, a-z, 0-9, ".", "_" and "-"` };
    }
    if (name === DASHBOARD_CLIENT && kind === 'client') {
      return { ok: false, error: `"${DASHBOARD_CLIENT}" is the name of the dashboard's own calls; pick another name` };
    }
    if (options.expiresAt !== undefined && !(options.expiresAt.getTime() > Date.now())) {
      return { ok: false, error: `the expiry of token "${name}" must be a date in the future` };
    }
    this.reload();
    const now = Date.now();
    if ([...this.#records.values()].some((r) => r.name === name && r.kind === kind && isActive(r, now))) {
      return {
        ok: false,
        error: `a ${kind} token named "${name}" already exists; revoke it first or pick another name`,
      };
    }
    const minted = mintToken(kind);
    const salt = randomBytes(16);
    const record: TokenRecord = {
      id: minted.id,
      name,
      kind,
      salt: salt.toString('base64'),
      digest: digestToken(minted.secret, salt).toString('base64'),
      createdAt: new Date().toISOString(),
      revokedAt: null,
      expiresAt: options.expiresAt?.toISOString() ?? null,
    };
    this.#records.set(record.id, record);
    await this.#persist();
    return { ok: true, value: { token: minted.token, info: toInfo(record) } };
  }

  /**
   * A client token that lives in memory for this run only: the dashboard calls tools through the gateway with it,
   * so its calls are authenticated, checked and audited as any client's are.
   */
  issueEphemeral(name: string): string {
    const minted = mintToken('client');
    const salt = randomBytes(16);
    this.#ephemeral.set(minted.id, {
      id: minted.id,
      name,
      kind: 'client',
      salt: salt.toString('base64'),
      digest: digestToken(minted.secret, salt).toString('base64'),
      createdAt: new Date().toISOString(),
      revokedAt: null,
      expiresAt: null,
    });
    return minted.token;
  }

  async revoke(name: string, kind: TokenKind = 'client'): Promise<StoreResult<number>> {
    this.reload();
    const now = new Date().toISOString();
    let count = 0;
    for (const [id, record] of this.#records) {
      if (record.name === name && record.kind === kind && record.revokedAt === null) {
        this.#records.set(id, { ...record, revokedAt: now });
        count += 1;
      }
    }
    if (count === 0) return { ok: false, error: `no active ${kind} token named "${name}"` };
    await this.#persist();
    return { ok: true, value: count };
  }

  list(): TokenInfo[] {
    return [...this.#records.values()].map(toInfo).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  verify(raw: string, expected: TokenKind, now: number = Date.now()): VerifyResult {
    const parsed = parseToken(raw);
    if (!parsed) return { ok: false, reason: 'malformed' };
    this.#refreshIfChanged();
    const record = this.#records.get(parsed.id) ?? this.#ephemeral.get(parsed.id);
    if (!record) return { ok: false, reason: 'unknown' };
    const stored = this.#checkMaterial(record);
    if (stored.verified === null || !sameSecret(parsed.secret, stored.verified)) {
      if (!digestsEqual(digestToken(parsed.secret, stored.key), stored.digest)) return { ok: false, reason: 'unknown' };
      stored.verified = Buffer.from(parsed.secret, 'utf8');
    }
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
    if (isExpired(record, now)) return { ok: false, reason: 'expired' };
    if (record.kind !== expected || parsed.kind !== expected) return { ok: false, reason: 'wrong-kind' };
    return { ok: true, name: record.name, kind: record.kind, id: record.id };
  }

  /** The decoded salt key and digest of a record, decoded once: verify runs on every request. */
  #checkMaterial(record: TokenRecord): CheckMaterial {
    let material = this.#material.get(record.id);
    if (material === undefined || material.salt !== record.salt) {
      material = {
        salt: record.salt,
        key: saltKey(Buffer.from(record.salt, 'base64')),
        digest: Buffer.from(record.digest, 'base64'),
        verified: null,
      };
      this.#material.set(record.id, material);
    }
    return material;
  }

  /** Whether the token with this id can still be used: known, not revoked, not expired. */
  isActive(id: string, now: number = Date.now()): boolean {
    if (id.startsWith(EXTERNAL_ID_PREFIX)) return true;
    const record = this.#records.get(id) ?? this.#ephemeral.get(id);
    return record !== undefined && isActive(record, now);
  }

  /** Follows edits made by other processes (the CLI); emits `change` after each successful re-read. */
  watch(): void {
    if (this.#watcher) return;
    const file = basename(this.#path);
    this.#watcher = watch(dirname(this.#path), (_event, changed) => {
      if (changed !== null && changed !== file) return;
      this.#changed = true;
      if (this.#debounce) clearTimeout(this.#debounce);
      this.#debounce = setTimeout(() => {
        this.#debounce = null;
        if (this.reload().ok) this.emit('change');
      }, 50);
    });
  }

  /**
   * Re-reads the file when another process has replaced it since the last read. Unwatched, that is one stat per
   * call. Watched, a change event marks the file to be checked on the next call (an edit made before a request
   * was sent is reported before that request is read), and a stat at most every RECHECK_MS covers a lost event:
   * a system call per request is a measurable part of a call's cost.
   */
  #refreshIfChanged(): void {
    if (this.#watcher !== null) {
      const now = performance.now();
      if (!this.#changed && now - this.#statAt < RECHECK_MS) return;
      this.#changed = false;
      this.#statAt = now;
    }
    if (this.#fileIdentity() === this.#loaded) return;
    if (this.reload().ok) this.emit('change');
  }

  #fileIdentity(): string {
    const stat = statSync(this.#path, { throwIfNoEntry: false, bigint: true });
    return stat === undefined ? 'absent' : `${stat.ino}:${stat.mtimeNs}:${stat.size}`;
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#debounce) clearTimeout(this.#debounce);
  }

  async #persist(): Promise<void> {
    const body = { version: 1 as const, tokens: [...this.#records.values()] };
    await writeFileAtomic(this.#path, JSON.stringify(body, null, 2) + '\n', 0o600);
    // What was written is what the file holds now. A re-read while the write was under way (the watcher's, after
    // an earlier write) saw the file before it and must not stand: it would drop the token just created.
    this.#records = new Map(body.tokens.map((r) => [r.id, r]));
    // This store's own write is already in memory; only later writes by others need a re-read.
    this.#loaded = this.#fileIdentity();
  }
}

function isExpired(record: TokenRecord, now: number): boolean {
  return record.expiresAt !== null && Date.parse(record.expiresAt) <= now;
}

function isActive(record: TokenRecord, now: number): boolean {
  return record.revokedAt === null && !isExpired(record, now);
}

function toInfo(record: TokenRecord): TokenInfo {
  return {
    name: record.name,
    kind: record.kind,
    id: record.id,
    createdAt: record.createdAt,
    revokedAt: record.revokedAt,
    expiresAt: record.expiresAt,
  };
}
