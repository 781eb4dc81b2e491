// Answering with the built dashboard: the page under its security headers, and its assets. Shared by the doors
// that serve it (a desktop's `serve`, a team server), so every copy of the page gets the same protection.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { replyJson } from '../gateway/http/http-reply.ts';
import type { RendererFiles } from './renderer-files.ts';

export const NO_STORE = { 'cache-control': 'no-store' };

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

/** The UI's own files carry no data; they are served to anyone who may reach the door, like any web app's. */
export function serveAsset(req: IncomingMessage, res: ServerResponse, files: RendererFiles, path: string): void {
  const file = files.get(path);
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

/** The page itself, for a caller already allowed to see it; `edit` may adjust its HTML (the team server's mode). */
export function servePage(res: ServerResponse, files: RendererFiles, edit?: (html: string) => string): void {
  const page = files.get('/');
  if (page === undefined) {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE });
    res.end('Switchboard is running, but its dashboard is not built: run `npm run build:renderer`, then reload.\n');
    return;
  }
  const body = edit === undefined ? page.body : Buffer.from(edit(page.body.toString('utf8')), 'utf8');
  res.writeHead(200, {
    'content-type': page.type,
    'content-length': body.length,
    'content-security-policy': PAGE_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    ...NO_STORE,
  });
  res.end(body);
}
