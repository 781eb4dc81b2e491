// The dashboard's door on the gateway's port: `/?token=…` trades the printed token for a session cookie and
// sends the browser back to `/` (the token leaves the address bar and the history); `/` and `/assets/…` are the
// built UI; `POST /api/<method>` is the control contract (preload/contract.ts) over HTTP. Every request is checked
// for Host and Origin like the MCP door; API calls need the cookie or the token as a bearer (401 otherwise) and
// the contract's request header, which a cross-site form cannot send, from no foreign origin.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PREFIX, CSRF_HEADER, type Answer, type ControlApi } from '../../preload/contract.ts';
import { readBody } from '../gateway/http/body-reader.ts';
import { replyJson } from '../gateway/http/http-reply.ts';
import { checkOrigin, type OriginPolicy } from '../gateway/http/request-guards.ts';
import { invokeControl, isControlMethod } from './control-inputs.ts';
import type { DashboardAccess } from './dashboard-access.ts';
import type { RendererFiles } from './renderer-files.ts';

/** A tool's arguments are the largest input; the gateway's own body limit is larger and applies to MCP only. */
const MAX_API_BODY = 1024 * 1024;

export interface DashboardDeps {
  readonly access: DashboardAccess;
  readonly origins: OriginPolicy;
  readonly api: ControlApi;
  readonly files: RendererFiles;
}

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * The page may load only its own scripts and styles and talk only to its own origin: an injected script (a tool
 * description, a log line) has nowhere to send what it reads. Inline styles are React's style props, set through
 * the DOM, which CSP does not govern.
 */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

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
    if (!url.pathname.startsWith(API_PREFIX)) return this.#asset(req, res, url.pathname);
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
    if (req.method !== 'POST') return replyJson(res, 405, { ok: false, error: 'use POST' }, { allow: 'POST' });
    if (req.headers[CSRF_HEADER] !== '1') {
      return replyJson(res, 403, { ok: false, error: `Forbidden: a control call needs the ${CSRF_HEADER} header` });
    }
    const body = await readBody(req, MAX_API_BODY);
    if (!body.ok) {
      if (body.reason === 'aborted') return;
      return replyJson(res, 413, { ok: false, error: `Payload Too Large: at most ${MAX_API_BODY} bytes` });
    }
    let input: unknown;
    try {
      input = body.body.length === 0 ? {} : JSON.parse(body.body.toString('utf8'));
    } catch (error) {
      return replyJson(res, 400, { ok: false, error: `${method}: the body is not JSON: ${(error as Error).message}` });
    }
    answer(res, await invokeControl(this.#deps.api, method, input));
  }

  #asset(req: IncomingMessage, res: ServerResponse, path: string): void {
    // The UI's own files carry no data; they are served to anyone who may reach the port, like any web app's.
    const file = this.#deps.files.get(path);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return replyJson(res, 405, { ok: false, error: 'use GET' }, { allow: 'GET, HEAD' });
    }
    if (file === undefined) return replyJson(res, 404, { ok: false, error: `Not Found: ${path}` });
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': file.body.length,
      'x-content-type-options': 'nosniff',
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
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
    const page = this.#deps.files.get('/');
    if (page === undefined) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE });
      res.end('Switchboard is running, but its dashboard is not built: run `npm run build:renderer`, then reload.\n');
      return;
    }
    res.writeHead(200, {
      'content-type': page.type,
      'content-length': page.body.length,
      'content-security-policy': PAGE_POLICY,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      ...NO_STORE,
    });
    res.end(page.body);
  }
}
