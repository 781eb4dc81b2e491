// The redirect target of a browser login: an HTTP listener on 127.0.0.1 for one exact path, for one answer.
// Anything else that knocks (another path, a second request, a request with the wrong state) gets a 404 or 400
// and does not end the wait. A browser can answer before the wait has begun (an authorization server that
// remembers the person redirects at once, while the page-opening program is still returning): the first such
// answer is kept for the wait to judge.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CALLBACK_PATH = '/oauth/callback';

export interface LoopbackListener {
  readonly redirectUrl: string;
  /** The first request to the callback path whose `accept` says yes, as a full URL. */
  next(timeoutMs: number, accept: (url: URL) => boolean): Promise<URL>;
  close(): Promise<void>;
}

const PAGE = (title: string, text: string): string =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif"><h1>${title}</h1><p>${text}</p>`;

export async function listenForCallback(port = 0): Promise<LoopbackListener> {
  let waiter: { accept: (url: URL) => boolean; resolve: (url: URL) => void } | null = null;
  let early: URL | null = null;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (waiter === null && early === null) {
      early = url;
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(PAGE('Switchboard', 'Answer received. You can close this window.'));
      return;
    }
    if (waiter === null || !waiter.accept(url)) {
      res
        .writeHead(400, { 'content-type': 'text/html' })
        .end(PAGE('Not this login', 'This answer does not belong to the login Switchboard is waiting for.'));
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(PAGE('Switchboard', 'Signed in. You can close this window.'));
    const { resolve } = waiter;
    waiter = null;
    resolve(url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    redirectUrl: `http://127.0.0.1:${actual}${CALLBACK_PATH}`,
    next(timeoutMs, accept) {
      const kept = early;
      early = null;
      if (kept !== null && accept(kept)) return Promise.resolve(kept);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = null;
          reject(new Error(`no answer from the browser within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        waiter = {
          accept,
          resolve: (url) => {
            clearTimeout(timer);
            resolve(url);
          },
        };
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
