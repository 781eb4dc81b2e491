// The dashboard's door on the gateway's port: `/?token=…` trades the printed token for a session cookie and
// sends the browser back to `/` (the token leaves the address bar and the history); `/` and `/assets/…` are the
// built UI; `POST /api/<method>` is the control contract (preload/contract.ts) over HTTP. Every request is checked
// for Host and Origin like the MCP door; API calls need the cookie or the token as a bearer (401 otherwise) and
// the contract's request header, which a cross-site form cannot send, from no foreign origin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PREFIX, type Answer, type ControlApi } from '../../preload/contract.ts';
import { replyJson } from '../gateway/http/http-reply.ts';
import { checkOrigin, type OriginPolicy } from '../gateway/http/request-guards.ts';
import { readApiInput } from './api-request.ts';
import { invokeControl, isControlMethod } from './control-inputs.ts';
import { redirectWithSession, type DashboardAccess } from './dashboard-access.ts';
import type { RendererFiles } from './renderer-files.ts';
import { NO_STORE, serveAsset, servePage } from './renderer-response.ts';

/** A tool's arguments are the largest input; the gateway's own body limit is larger and applies to MCP only. */
const MAX_API_BODY = 1024 * 1024;

export interface DashboardDeps {
  readonly access: DashboardAccess;
  readonly origins: OriginPolicy;
  readonly api: ControlApi;
  readonly files: RendererFiles;
}

function answer(res: ServerResponse, result: Answer<unknown>): void {
  replyJson(res, result.ok ? 200 : 400, result, NO_STORE);
}

export class DashboardHttp {
  readonly #deps: DashboardDeps;

  constructor(deps: DashboardDeps) {
    this.#deps = deps;
  }

  /** Whether this door answers `path`. */
  static serves(path: string): boolean {
    return (
      path === '/' ||
      path === '/api' ||
      path.startsWith(API_PREFIX) ||
      path.startsWith('/assets/') ||
      path === '/favicon.svg'
    );
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const refused = checkOrigin(req, this.#deps.origins);
    if (refused) return replyJson(res, refused.status, { ok: false, error: refused.message });
    if (url.pathname === '/') return this.#page(req, res, url);
    if (!url.pathname.startsWith(API_PREFIX)) return serveAsset(req, res, this.#deps.files, url.pathname);
    if (!this.#deps.access.allows(req)) {
      return replyJson(res, 401, {
        ok: false,
        error: 'Unauthorized: open the Dashboard link `switchboard serve` printed, or send its token as a bearer',
      });
    }
    const method = url.pathname.slice(API_PREFIX.length);
    if (!isControlMethod(method)) {
      return replyJson(res, 404, { ok: false, error: `Not Found: no control call named "${method}"` }, NO_STORE);
    }
    const call = await readApiInput(req, res, method, MAX_API_BODY);
    if (call === null) return;
    answer(res, await invokeControl(this.#deps.api, method, call.input));
  }

  #page(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const token = url.searchParams.get('token');
    if (token !== null) {
      if (!this.#deps.access.isToken(token)) {
        return replyJson(res, 401, { ok: false, error: 'Unauthorized: this dashboard link is not the current one' });
      }
      return redirectWithSession(res, this.#deps.access.openSession());
    }
    if (!this.#deps.access.allows(req)) {
      return replyJson(res, 401, {
        ok: false,
        error: 'Unauthorized: open the Dashboard link `switchboard serve` printed',
      });
    }
    servePage(res, this.#deps.files);
  }
}
