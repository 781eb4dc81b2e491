// Who may use the dashboard of a running `serve`: whoever holds the dashboard token it printed, or the session
// cookie that opening its link sets. The token is made afresh for each run and is unrelated to client tokens: a
// client token opens no dashboard, and the dashboard token reaches no MCP endpoint.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/**
 * Browser sessions behind an HttpOnly, SameSite=Strict cookie, each holding what it was opened for: the random
 * secret goes to the browser and only its digest is kept. A bounded table: past `max` the oldest is forgotten
 * (its browser opens the link again). The desktop's dashboard and a team server's both trade a token for one.
 */
export class CookieSessions<T> {
  readonly #name: string;
  readonly #max: number;
  readonly #secure: boolean;
  /** By digest of the secret, oldest first. */
  readonly #sessions = new Map<string, T>();

  constructor(name: string, options: { readonly max?: number; readonly secure?: boolean } = {}) {
    this.#name = name;
    this.#max = options.max ?? MAX_SESSIONS;
    this.#secure = options.secure ?? false;
  }

  /** A new session holding `value`; its Set-Cookie header value. */
  open(value: T): string {
    const secret = randomBytes(32).toString('base64url');
    this.#sessions.set(digest(secret).toString('hex'), value);
    if (this.#sessions.size > this.#max) this.#sessions.delete(this.#sessions.keys().next().value!);
    return `${this.#name}=${secret}; HttpOnly; SameSite=Strict; Path=/${this.#secure ? '; Secure' : ''}`;
  }

  /** What the request's session cookie was opened for, or undefined without a live one. */
  lookup(req: IncomingMessage): T | undefined {
    const cookie = cookieValue(req, this.#name);
    return cookie === null ? undefined : this.#sessions.get(digest(cookie).toString('hex'));
  }

  /** Ends every session whose value `ends` (a revoked member's). */
  end(ends: (value: T) => boolean): void {
    for (const [key, value] of this.#sessions) if (ends(value)) this.#sessions.delete(key);
  }
}

/** After a token was traded for a cookie: back to `/`, so the token leaves the address bar and the history. */
export function redirectWithSession(res: ServerResponse, cookie: string): void {
  res.writeHead(303, { location: '/', 'set-cookie': cookie, 'cache-control': 'no-store' }).end();
}

export class DashboardAccess {
  readonly token: string;
  readonly #tokenDigest: Buffer;
  readonly #sessions = new CookieSessions<true>(DASHBOARD_COOKIE);

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
    return this.#sessions.open(true);
  }

  /** Whether the request carries the dashboard token as a bearer, or a session cookie this run handed out. */
  allows(req: IncomingMessage): boolean {
    const auth = req.headers.authorization;
    if (auth !== undefined && /^Bearer /i.test(auth)) return this.isToken(auth.slice(7).trim());
    return this.#sessions.lookup(req) === true;
  }
}
