// Who may use the dashboard of a running `serve`: whoever holds the dashboard token it printed, or the session
// cookie that opening its link sets. The token is made afresh for each run and is unrelated to client tokens: a
// client token opens no dashboard, and the dashboard token reaches no MCP endpoint.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { digestsEqual } from '../gateway/auth/token-digest.ts';

export const DASHBOARD_COOKIE = 'sb_dashboard';
const MAX_SESSIONS = 64;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export class DashboardAccess {
  readonly token: string;
  readonly #tokenDigest: Buffer;
  /** Digests of the session cookies handed out, oldest first. */
  readonly #sessions = new Set<string>();

  constructor(token: string = randomBytes(32).toString('base64url')) {
    this.token = token;
    this.#tokenDigest = digest(token);
  }

  /** Whether `presented` is the dashboard token; compared as fixed-length digests, in constant time. */
  isToken(presented: string): boolean {
    return digestsEqual(digest(presented), this.#tokenDigest);
  }

  /** A new session for the browser that opened the link; its cookie header value. */
  openSession(): string {
    const secret = randomBytes(32).toString('base64url');
    this.#sessions.add(digest(secret).toString('hex'));
    // A bounded table: the oldest session is forgotten first (its browser opens the link again).
    if (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.values().next().value!);
    return `${DASHBOARD_COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** Whether the request carries the dashboard token as a bearer, or a session cookie this run handed out. */
  allows(req: IncomingMessage): boolean {
    const auth = req.headers.authorization;
    if (auth !== undefined && /^Bearer /i.test(auth)) return this.isToken(auth.slice(7).trim());
    const cookie = cookieValue(req, DASHBOARD_COOKIE);
    return cookie !== null && this.#sessions.has(digest(cookie).toString('hex'));
  }
}
