// The dashboard's door on the gateway's port: `/?token=…` trades the printed token for a session cookie and
// sends the browser back to `/` (the token leaves the address bar and the history); `/api/…` is the control
// contract (preload/contract.ts) over HTTP. Every request is checked for Host and Origin like the MCP door; API
// calls need the cookie or the token as a bearer (401 otherwise); state-changing calls are POSTs that carry the
// contract's request header, which a cross-site form cannot send, from no foreign origin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CSRF_HEADER,
  type AuditQueryView,
  type Answer,
  type ControlApi,
  type ServerAction,
} from '../../preload/contract.ts';
import { replyJson } from '../gateway/http/http-reply.ts';
import { checkOrigin, type OriginPolicy } from '../gateway/http/request-guards.ts';
import type { DashboardAccess } from './dashboard-access.ts';

const ACTION = /^\/api\/servers\/([^/]{1,256})\/(start|stop|restart)$/;
const NUMBER_PARAMS = ['since', 'until', 'before', 'limit'] as const;
const TEXT_PARAMS = ['client', 'server', 'tool', 'outcome', 'text'] as const;

export interface DashboardDeps {
  readonly access: DashboardAccess;
  readonly origins: OriginPolicy;
  readonly api: ControlApi;
}

const NO_STORE = { 'cache-control': 'no-store' };

function answer<T>(res: ServerResponse, result: Answer<T>, failure = 400): void {
  replyJson(res, result.ok ? 200 : failure, result, NO_STORE);
}

/** The audit filters of a query string, or what is wrong with them. */
export function auditQueryOf(params: URLSearchParams): Answer<AuditQueryView> {
  const query: Record<string, string | number> = {};
  for (const key of NUMBER_PARAMS) {
    const raw = params.get(key);
    if (raw === null) continue;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isSafeInteger(value) || value < 0) {
      return { ok: false, error: `${key} must be a whole number of 0 or more, not ${JSON.stringify(raw)}` };
    }
    query[key] = value;
  }
  for (const key of TEXT_PARAMS) {
    const raw = params.get(key);
    if (raw === null) continue;
    if (raw.length > 512) return { ok: false, error: `${key} is longer than 512 characters` };
    query[key] = raw;
  }
  const unknown = [...params.keys()].filter(
    (key) => !(NUMBER_PARAMS as readonly string[]).includes(key) && !(TEXT_PARAMS as readonly string[]).includes(key),
  );
  if (unknown.length > 0) return { ok: false, error: `unknown audit filter: ${unknown.join(', ')}` };
  return { ok: true, value: query as AuditQueryView };
}

export class DashboardHttp {
  readonly #deps: DashboardDeps;

  constructor(deps: DashboardDeps) {
    this.#deps = deps;
  }

  /** Whether this door answers `path`. */
  static serves(path: string): boolean {
    return path === '/' || path === '/api' || path.startsWith('/api/');
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const refused = checkOrigin(req, this.#deps.origins);
    if (refused) return replyJson(res, refused.status, { ok: false, error: refused.message });
    const { access, api } = this.#deps;
    if (url.pathname === '/') return this.#page(req, res, url);
    if (!access.allows(req)) {
      return replyJson(res, 401, {
        ok: false,
        error: 'Unauthorized: open the Dashboard link `switchboard serve` printed, or send its token as a bearer',
      });
    }
    if (req.method === 'GET' && url.pathname === '/api/status') return answer(res, await api.status(), 500);
    if (req.method === 'GET' && url.pathname === '/api/audit') {
      const query = auditQueryOf(url.searchParams);
      return answer(res, query.ok ? await api.audit(query.value) : query);
    }
    const action = ACTION.exec(url.pathname);
    if (action !== null) {
      if (req.method !== 'POST') return replyJson(res, 405, { ok: false, error: 'use POST' }, { allow: 'POST' });
      if (req.headers[CSRF_HEADER] !== '1') {
        return replyJson(res, 403, {
          ok: false,
          error: `Forbidden: a state-changing call needs the ${CSRF_HEADER} header`,
        });
      }
      let name: string;
      try {
        name = decodeURIComponent(action[1]!);
      } catch {
        return replyJson(res, 400, { ok: false, error: `not a server name: ${action[1]}` });
      }
      return answer(res, await api.serverAction(name, action[2] as ServerAction));
    }
    replyJson(res, 404, { ok: false, error: `Not Found: ${url.pathname}` });
  }

  #page(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const token = url.searchParams.get('token');
    if (token !== null) {
      if (!this.#deps.access.isToken(token)) {
        return replyJson(res, 401, { ok: false, error: 'Unauthorized: this dashboard link is not the current one' });
      }
      // The token is traded for a cookie and dropped from the address bar (and so from the browser's history).
      res.writeHead(303, { location: '/', 'set-cookie': this.#deps.access.openSession(), ...NO_STORE }).end();
      return;
    }
    if (!this.#deps.access.allows(req)) {
      return replyJson(res, 401, {
        ok: false,
        error: 'Unauthorized: open the Dashboard link `switchboard serve` printed',
      });
    }
    // The dashboard's UI is not part of this build yet: the page says so and points at the API it will use.
    res
      .writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE })
      .end('Switchboard is running. The dashboard UI is not part of this build; its API answers at /api/status.\n');
  }
}
