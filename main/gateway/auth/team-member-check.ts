// Member tokens of a team server, for a shared gateway (`gateway.auth.teamServer`): a bearer is checked with
// `GET <url>/members/me`, which answers `{member, admin}` or 401. Answers are cached briefly and in bounded number
// (a token is remembered by its SHA-256, never as itself): a positive one for at most a minute, so a revoked
// member is refused within that; a refusal for ten seconds, so guessing costs the team server nothing. When the team
// server cannot be asked (down, timing out, answering nonsense) the caller gets 503 naming it: never admitted.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { networkReason } from '../../audit/upload-fetch.ts';
import type { FetchLike } from '../../net/guarded-fetch.ts';
import { boundedFetch } from './bounded-fetch.ts';

export const MEMBER_TTL_MS = 60_000;
export const REFUSAL_TTL_MS = 10_000;
export const MAX_CACHED = 10_000;
const TIMEOUT_MS = 5_000;

export type MemberVerdict =
  | { readonly ok: true; readonly member: string; readonly admin: boolean }
  | { readonly ok: false; readonly kind: 'refused'; readonly reason: string }
  | { readonly ok: false; readonly kind: 'unavailable'; readonly reason: string };

const answerSchema = z.object({ member: z.string().min(1).max(256), admin: z.boolean() });

export interface TeamMemberCheckOptions {
  readonly url: string;
  readonly fetch?: FetchLike;
  readonly now?: () => number;
}

export class TeamMemberCheck {
  readonly #endpoint: string;
  readonly #fetch: FetchLike;
  readonly #now: () => number;
  /** By token digest; insertion order is age order, so the oldest entry is the first one dropped. */
  readonly #cache = new Map<string, { verdict: MemberVerdict; until: number }>();

  constructor(options: TeamMemberCheckOptions) {
    this.#endpoint = `${options.url.replace(/\/+$/, '')}/members/me`;
    this.#fetch = options.fetch ?? boundedFetch();
    this.#now = options.now ?? Date.now;
  }

  get cached(): number {
    return this.#cache.size;
  }

  async check(token: string): Promise<MemberVerdict> {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = this.#now();
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.until > now) return hit.verdict;
    this.#cache.delete(key);
    const verdict = await this.#ask(token);
    if (verdict.ok || verdict.kind === 'refused') {
      if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(key, { verdict, until: now + (verdict.ok ? MEMBER_TTL_MS : REFUSAL_TTL_MS) });
    }
    return verdict;
  }

  async #ask(token: string): Promise<MemberVerdict> {
    const unavailable = (why: string): MemberVerdict => ({
      ok: false,
      kind: 'unavailable',
      reason: `the team server at ${this.#endpoint} ${why}`,
    });
    let response: Response;
    let body: string;
    try {
      response = await this.#fetch(this.#endpoint, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'manual',
      });
      body = await response.text();
    } catch (error) {
      return unavailable(`could not be asked: ${networkReason(error)}`);
    }
    if (response.status === 401 || response.status === 403) {
      return {
        ok: false,
        kind: 'refused',
        reason: `team-token: the team server refused the token (${response.status})`,
      };
    }
    if (response.status !== 200) return unavailable(`answered ${response.status}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return unavailable('answered something that is not JSON');
    }
    const answer = answerSchema.safeParse(parsed);
    if (!answer.success) return unavailable('answered without {member, admin}');
    return { ok: true, member: answer.data.member, admin: answer.data.admin };
  }
}
