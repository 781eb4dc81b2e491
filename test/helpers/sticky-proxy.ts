// A small load balancer on 127.0.0.1 with session affinity by `Mcp-Session-Id`, standing in for an ingress in
// front of several gateways: a request naming a session it has seen goes to the instance that opened it; any
// other (an initialize, a 2026-07-28 sessionless request) goes to the next instance in turn, and, when that
// instance answers 503 or cannot be reached, to the next one, each once. It learns a session's instance from the
// `Mcp-Session-Id` header of the answer that opened it, and forgets it after a DELETE.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StickyProxy {
  readonly url: string;
  /** Which instance (index into the targets) each session is pinned to. */
  readonly pins: ReadonlyMap<string, number>;
  /** Requests sent on to another instance after a 503 or a refused connection. */
  readonly retries: number;
  close(): Promise<void>;
}

const MAX_BODY = 8 * 1024 * 1024;

/** `targets` are origins (`http://127.0.0.1:PORT`); `host`, when given, is the Host header the instances see. */
export async function startStickyProxy(
  targets: readonly string[],
  options: { host?: string } = {},
): Promise<StickyProxy> {
  const pins = new Map<string, number>();
  let next = 0;
  let retries = 0;

  const forward = (
    target: number,
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ upstream: IncomingMessage | null; abort: () => void }> =>
    new Promise((resolve) => {
      const origin = new URL(targets[target]!);
      const headers: Record<string, string | string[] | undefined> = {
        ...req.headers,
        host: options.host ?? origin.host,
      };
      if (req.method !== 'GET' && req.method !== 'DELETE') headers['content-length'] = String(body.length);
      const out = request(
        { host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers },
        (upstream) => resolve({ upstream, abort: () => out.destroy() }),
      );
      out.on('error', () => resolve({ upstream: null, abort: () => {} }));
      out.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return void res.writeHead(413).end();
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const session = req.headers['mcp-session-id'];
    const pinned = typeof session === 'string' ? pins.get(session) : undefined;
    const order = pinned !== undefined ? [pinned] : targets.map((_, i) => (next + i) % targets.length);
    if (pinned === undefined) next = (next + 1) % targets.length;
    for (const [attempt, target] of order.entries()) {
      const last = attempt === order.length - 1;
      const { upstream, abort } = await forward(target, req, body);
      if (upstream === null || (upstream.statusCode === 503 && !last)) {
        upstream?.resume();
        if (!last) retries += 1;
        if (upstream === null && last) return void res.writeHead(502).end();
        continue;
      }
      const opened = upstream.headers['mcp-session-id'];
      if (pinned === undefined && typeof opened === 'string') pins.set(opened, target);
      if (req.method === 'DELETE' && typeof session === 'string') pins.delete(session);
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      res.on('close', () => {
        if (!res.writableFinished) abort();
      });
      upstream.pipe(res);
      return;
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pins,
    get retries() {
      return retries;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
