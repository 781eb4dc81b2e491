// The team dashboard's sign-in: a browser cannot send a bearer token when it opens a page, so an admin opens
// `/?token=sbm_…` once and gets an HttpOnly, SameSite=Strict session cookie for the member that token belongs to;
// the token leaves the address bar at once (a redirect to `/`). Sessions live in memory, bounded and expiring: a
// restart of the server signs everyone out, which costs one more click.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Member } from './members.ts';

export const TEAM_COOKIE = 'sb_team';
const MAX_SESSIONS = 256;
const SESSION_MS = 12 * 60 * 60 * 1000;

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export class TeamSessions {
  /** Digest of the cookie → whose session and until when; oldest first. */
  readonly #sessions = new Map<string, { readonly memberId: number; readonly until: number }>();

  /** A new session for `member`; the Set-Cookie header value. */
  open(member: Member, now = Date.now()): string {
    const secret = randomBytes(32).toString('base64url');
    this.#sessions.set(digest(secret), { memberId: member.id, until: now + SESSION_MS });
    if (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    return `${TEAM_COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}`;
  }

  /** The member id of the request's session cookie, when it names a live session. */
  memberOf(req: IncomingMessage, now = Date.now()): number | null {
    const cookie = cookieValue(req, TEAM_COOKIE);
    if (cookie === null) return null;
    const key = digest(cookie);
    const session = this.#sessions.get(key);
    if (session === undefined) return null;
    if (session.until <= now) {
      this.#sessions.delete(key);
      return null;
    }
    return session.memberId;
  }
}
