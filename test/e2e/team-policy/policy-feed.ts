// A team policy endpoint on 127.0.0.1 for the team policy tests: serves what the test sets (a signed document with
// an ETag, an error status, a hang, a trickle, a 100 MB body, a redirect, raw text) and counts what it is asked.
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FeedAnswer =
  | { readonly kind: 'document'; readonly jws: string }
  | { readonly kind: 'raw'; readonly body: string }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'trickle' }
  | { readonly kind: 'huge' }
  | { readonly kind: 'redirect'; readonly location: string };

export interface Feed {
  readonly url: string;
  /** Requests received, and how many carried If-None-Match. */
  readonly seen: { requests: number; conditional: number; notModified: number };
  answer: FeedAnswer;
  close(): Promise<void>;
}

const HUGE_BYTES = 100 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

export async function startFeed(answer: FeedAnswer = { kind: 'status', status: 404 }): Promise<Feed> {
  const timers = new Set<NodeJS.Timeout>();
  const seen = { requests: 0, conditional: 0, notModified: 0 };
  const feed = { answer } as { answer: FeedAnswer };
  const server = createServer((req, res) => {
    seen.requests += 1;
    const current = feed.answer;
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch !== undefined) seen.conditional += 1;
    switch (current.kind) {
      case 'document': {
        const etag = `"${createHash('sha256').update(current.jws).digest('hex').slice(0, 16)}"`;
        if (ifNoneMatch === etag) {
          seen.notModified += 1;
          res.writeHead(304, { etag }).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/jose', etag }).end(current.jws);
        return;
      }
      case 'raw':
        res.writeHead(200, { 'content-type': 'application/json' }).end(current.body);
        return;
      case 'status':
        res.writeHead(current.status).end('failure');
        return;
      case 'hang':
        return;
      case 'trickle': {
        res.writeHead(200, { 'content-type': 'application/jose' });
        const timer = setInterval(() => res.write('e'), 50);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'huge':
        res.writeHead(200, { 'content-type': 'application/jose' });
        pump(res, HUGE_BYTES);
        return;
      case 'redirect':
        res.writeHead(302, { location: current.location }).end();
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/team.jws`,
    seen,
    get answer() {
      return feed.answer;
    },
    set answer(next: FeedAnswer) {
      feed.answer = next;
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes `left` bytes with backpressure, stopping when the reader goes away. */
function pump(res: ServerResponse, left: number): void {
  while (left > 0 && !res.destroyed) {
    left -= CHUNK.length;
    if (!res.write(CHUNK)) {
      res.once('drain', () => pump(res, left));
      return;
    }
  }
  if (!res.destroyed) res.end();
}
