// The dashboard's origin in the app: `app://dashboard/`, a privileged (standard, secure) custom scheme that serves
// only the files of the built renderer (renderer/dist), each with the dashboard's CSP. Not file://, whose pages
// may read any other file: URL, and not a local HTTP port, which any process on the machine could reach.
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { ProtocolPart } from './electron-parts.ts';
import { DASHBOARD_CSP } from './window-policy.ts';

export const DASHBOARD_SCHEME = 'app';
export const DASHBOARD_ORIGIN = 'app://dashboard';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Must run before the app is ready: a scheme is privileged only if it is registered that early. */
export function registerDashboardScheme(protocol: ProtocolPart): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: DASHBOARD_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/**
 * The file under `root` that `url` names, or null for anything else: another host, an encoded `..` or NUL, a
 * path outside root. A path without an extension is a page of the single-page app and gets index.html.
 */
export function dashboardFile(url: string, root: string): string | null {
  let path: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== `${DASHBOARD_SCHEME}:` || parsed.host !== 'dashboard') return null;
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  if (extname(path) === '') path = '/index.html';
  const base = resolve(root);
  const file = resolve(base, `.${path}`);
  return file.startsWith(base + sep) ? file : null;
}

function answer(status: number, body: string | Uint8Array<ArrayBuffer>, type: string): Response {
  return new Response(body, {
    status,
    headers: {
      'content-type': type,
      'content-security-policy': DASHBOARD_CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    },
  });
}

/** Answers one request of the scheme from `root`. */
export async function serveDashboard(url: string, root: string): Promise<Response> {
  const file = dashboardFile(url, root);
  if (file === null) return answer(404, 'Not found', 'text/plain; charset=utf-8');
  try {
    const body = await readFile(file);
    return answer(200, new Uint8Array(body), TYPES[extname(file)] ?? 'application/octet-stream');
  } catch {
    const missing =
      extname(file) === '.html' ? 'The dashboard is not built: run `npm run build:renderer`.' : 'Not found';
    return answer(404, missing, 'text/plain; charset=utf-8');
  }
}

export function handleDashboardScheme(protocol: ProtocolPart, root: string): void {
  protocol.handle(DASHBOARD_SCHEME, (request) => serveDashboard(request.url, root));
}
