// A reverse proxy on 127.0.0.1 that adds headers (the client token) to every request and forwards everything
// else as it came: method, path, headers, and both bodies streamed (SSE included), so that a client which sends
// no Authorization header, like the conformance suite, can reach the authenticated gateway without the gateway
// weakening its authentication.
// Host and Origin: a request that names the proxy itself (127.0.0.1, localhost or [::1] at the proxy's port) is
// forwarded naming the gateway at the same host name, as if the client had dialled the gateway; any other Host or
// Origin is forwarded unchanged, so the gateway's own DNS-rebinding protection judges it.
import {
  Agent,
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeaderProxy {
  /** The proxy's origin, e.g. `http://127.0.0.1:41234`. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Headers that describe one connection, not the message (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

export async function startHeaderProxy(target: URL, added: Readonly<Record<string, string>>): Promise<HeaderProxy> {
  const agent = new Agent({ keepAlive: true });
  let ownPort = 0;

  /** `authority` with the gateway's port when it names the proxy itself; null for any other authority. */
  const towardTarget = (authority: string): string | null => {
    const lower = authority.toLowerCase();
    const name = LOOPBACK_NAMES.find((n) => lower === `${n}:${ownPort}`);
    return name === undefined ? null : `${name}:${target.port}`;
  };

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = endToEnd(req.headers);
    const host = req.headers.host;
    if (host !== undefined) headers.host = towardTarget(host) ?? host;
    const origin = req.headers.origin;
    if (origin !== undefined && origin.startsWith('http://')) {
      const rewritten = towardTarget(origin.slice('http://'.length));
      if (rewritten !== null) headers.origin = `http://${rewritten}`;
    }
    Object.assign(headers, added);

    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
        // Headers go out now: an SSE response may send its first event much later.
        res.flushHeaders();
        answer.pipe(res);
        answer.once('error', () => res.destroy());
      },
    );
    upstream.once('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${error.message}`);
      else res.destroy();
    });
    // A client that goes away takes its upstream request with it (an SSE stream included).
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const server = createServer(forward);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  ownPort = (server.address() as AddressInfo).port;

  return {
    origin: `http://127.0.0.1:${ownPort}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
