// Hosts server-everything on 127.0.0.1 inside the test process, so the gateway has a real remote server to reach:
// over Streamable HTTP at /mcp, or over legacy HTTP+SSE only (GET /sse, POST /message), where a Streamable HTTP
// POST to /sse gets 405 as from a 2024-11-05 server.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { binOf } from '../../helpers/gateway-harness.ts';

interface EverythingServer {
  readonly server: { connect(transport: unknown): Promise<void>; close(): Promise<void> };
  readonly cleanup: (sessionId?: string) => void;
}

const { createServer: createEverything } = (await import(
  binOf('@modelcontextprotocol/server-everything', 'dist/server/index.js')
)) as { createServer: () => EverythingServer };

export interface EverythingHost {
  /** The URL to configure: `/mcp` (Streamable HTTP) or `/sse` (legacy SSE). */
  readonly url: string;
  /** Sessions opened so far. */
  readonly sessions: () => number;
  close(): Promise<void>;
}

export async function startEverythingHost(kind: 'streamable' | 'sse'): Promise<EverythingHost> {
  const streamable = new Map<string, StreamableHTTPServerTransport>();
  const sse = new Map<string, SSEServerTransport>();
  const servers: EverythingServer[] = [];
  let opened = 0;

  const open = (): EverythingServer => {
    const made = createEverything();
    servers.push(made);
    opened += 1;
    return made;
  };

  const readJson = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (kind === 'streamable' && url.pathname === '/mcp') {
      const id = req.headers['mcp-session-id'];
      const existing = typeof id === 'string' ? streamable.get(id) : undefined;
      if (existing) return existing.handleRequest(req, res);
      if (req.method !== 'POST') return void res.writeHead(400).end('no session');
      const body = await readJson(req);
      if (!isInitializeRequest(body)) return void res.writeHead(400).end('expected initialize');
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => void streamable.set(sid, transport),
      });
      await open().server.connect(transport);
      return transport.handleRequest(req, res, body);
    }
    if (kind === 'sse' && url.pathname === '/sse') {
      if (req.method !== 'GET') return void res.writeHead(405).end('method not allowed');
      const transport = new SSEServerTransport('/message', res);
      sse.set(transport.sessionId, transport);
      res.on('close', () => sse.delete(transport.sessionId));
      await open().server.connect(transport);
      return;
    }
    if (kind === 'sse' && url.pathname === '/message' && req.method === 'POST') {
      const transport = sse.get(url.searchParams.get('sessionId') ?? '');
      if (!transport) return void res.writeHead(404).end('unknown session');
      return transport.handlePostMessage(req, res);
    }
    res.writeHead(404).end('not found');
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${kind === 'streamable' ? '/mcp' : '/sse'}`,
    sessions: () => opened,
    async close() {
      for (const made of servers) {
        made.cleanup();
        await made.server.close().catch(() => {});
      }
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
