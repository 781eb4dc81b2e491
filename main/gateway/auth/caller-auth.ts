// Who is calling, from the bearer: a local client token (always, unchanged), else on a shared gateway a JWT of the
// configured issuer or a team server's member token. The answer is the client name (what policy and the audit
// trail call the caller), the id its sessions are bound to, and the member the calls are made for (null for a
// local token). A refusal says 401 (the token is wrong) or 503 (the service that would judge it is out of reach).
import { createHash } from 'node:crypto';
import type { GatewayAuthConfig } from '../../config/gateway-auth-schema.ts';
import type { FetchLike } from '../../net/guarded-fetch.ts';
import { JwtVerifier, looksLikeJwt } from './jwt-verifier.ts';
import { TeamMemberCheck } from './team-member-check.ts';
import { EXTERNAL_ID_PREFIX, parseToken } from './token-format.ts';
import type { TokenStore } from './token-store.ts';

export interface Caller {
  readonly client: string;
  /** The client token's id, or an `ext:` id derived from issuer, member and client. */
  readonly tokenId: string;
  readonly member: string | null;
}

export type CallerVerdict =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly status: 401; readonly reason: string }
  | { readonly ok: false; readonly status: 503; readonly reason: string };

export interface CallerAuthOptions {
  readonly tokens: TokenStore;
  readonly config?: GatewayAuthConfig;
  /** For tests: the fetch the JWKS and the team server are reached with (the guarded, bounded one otherwise). */
  readonly fetch?: FetchLike;
}

function externalId(source: string, member: string, client: string): string {
  return EXTERNAL_ID_PREFIX + createHash('sha256').update(`${source}\0${member}\0${client}`).digest('hex').slice(0, 32);
}

export class CallerAuth {
  readonly #tokens: TokenStore;
  readonly #jwt: { readonly verifier: JwtVerifier; readonly issuer: string } | null;
  readonly #team: { readonly check: TeamMemberCheck; readonly client: string; readonly url: string } | null;

  constructor(options: CallerAuthOptions) {
    this.#tokens = options.tokens;
    const fetch = options.fetch === undefined ? {} : { fetch: options.fetch };
    const jwt = options.config?.jwt;
    this.#jwt = jwt === undefined ? null : { verifier: new JwtVerifier(jwt, fetch), issuer: jwt.issuer };
    const team = options.config?.teamServer;
    this.#team =
      team === undefined
        ? null
        : { check: new TeamMemberCheck({ url: team.url, ...fetch }), client: team.client, url: team.url };
  }

  /** Whether anything beyond local client tokens is accepted. */
  get shared(): boolean {
    return this.#jwt !== null || this.#team !== null;
  }

  async authenticate(raw: string | null): Promise<CallerVerdict> {
    if (raw === null) return { ok: false, status: 401, reason: 'missing' };
    // A token of the local form is judged by the local store alone, whatever else is configured.
    if (parseToken(raw) !== null || !this.shared) {
      const verdict = this.#tokens.verify(raw, 'client');
      if (!verdict.ok) return { ok: false, status: 401, reason: verdict.reason };
      return { ok: true, caller: { client: verdict.name, tokenId: verdict.id, member: null } };
    }
    if (this.#jwt !== null && looksLikeJwt(raw)) {
      const verdict = await this.#jwt.verifier.verify(raw);
      if (!verdict.ok) return { ok: false, status: verdict.kind === 'refused' ? 401 : 503, reason: verdict.reason };
      const { member, client } = verdict;
      return { ok: true, caller: { client, member, tokenId: externalId(`jwt:${this.#jwt.issuer}`, member, client) } };
    }
    if (this.#team !== null) {
      const verdict = await this.#team.check.check(raw);
      if (!verdict.ok) return { ok: false, status: verdict.kind === 'refused' ? 401 : 503, reason: verdict.reason };
      const { member } = verdict;
      const client = this.#team.client;
      return { ok: true, caller: { client, member, tokenId: externalId(`team:${this.#team.url}`, member, client) } };
    }
    return { ok: false, status: 401, reason: 'malformed' };
  }
}
