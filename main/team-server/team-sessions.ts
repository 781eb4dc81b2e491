// The team dashboard's sign-in: a browser cannot send a bearer token when it opens a page, so an admin opens
// `/?token=sbm_…` once and gets an HttpOnly, SameSite=Strict session cookie for the member that token belongs to;
// the token leaves the address bar at once (a redirect to `/`). The cookie table is the desktop dashboard's
// (`CookieSessions`); a team session also expires, since the token behind it can be revoked. Sessions live in
// memory: a restart of the server signs everyone out, which costs one more click.
import type { IncomingMessage } from 'node:http';
import { CookieSessions } from '../dashboard/dashboard-access.ts';
import type { Member } from './members.ts';

export const TEAM_COOKIE = 'sb_team';
const MAX_SESSIONS = 256;
const SESSION_MS = 12 * 60 * 60 * 1000;

interface TeamSession {
  readonly memberId: number;
  readonly until: number;
}

export class TeamSessions {
  readonly #sessions = new CookieSessions<TeamSession>(TEAM_COOKIE, { max: MAX_SESSIONS });

  /** A new session for `member`; the Set-Cookie header value. */
  open(member: Member, now = Date.now()): string {
    return `${this.#sessions.open({ memberId: member.id, until: now + SESSION_MS })}; Max-Age=${SESSION_MS / 1000}`;
  }

  /** The member id of the request's session cookie, when it names a live session. */
  memberOf(req: IncomingMessage, now = Date.now()): number | null {
    const session = this.#sessions.lookup(req);
    if (session === undefined) return null;
    if (session.until <= now) {
      this.#sessions.end((s) => s === session);
      return null;
    }
    return session.memberId;
  }
}
