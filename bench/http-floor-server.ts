// The floor for any HTTP hop: the SDK's own Streamable HTTP server (stateful sessions, the SDK's Express app)
// answering the same `echo` tool in-process, with no upstream behind it.
//
// Its body limit is the one createMcpExpressApp installs, express.json()'s default of 100 KiB, so a 1 MiB
// argument is refused with 413 as a default deployment of the SDK would refuse it.
// Prints {"url", "pid"} as its first line of stdout once it listens on 127.0.0.1.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createEchoServer } from './echo-server.ts';

const HOST = '127.0.0.1';

/** What the Express app hands a route: a Node request with the parsed JSON body attached. */
type JsonRequest = IncomingMessage & { body?: unknown };
const transports = new Map<string, StreamableHTTPServerTransport>();
const app = createMcpExpressApp({ host: HOST });

app.post('/mcp', async (req: JsonRequest, res: ServerResponse) => {
  const id = req.headers['mcp-session-id'];
  const existing = typeof id === 'string' ? transports.get(id) : undefined;
  if (existing) return existing.handleRequest(req, res, req.body);
  if (id !== undefined || !isInitializeRequest(req.body)) {
    const error = { code: -32000, message: 'no such session; send initialize without a session id' };
    res.writeHead(id === undefined ? 400 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error }));
    return;
  }
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (sessionId) => void transports.set(sessionId, transport),
  });
  transport.onclose = () => {
    if (transport.sessionId !== undefined) transports.delete(transport.sessionId);
  };
  await createEchoServer().connect(transport);
  await transport.handleRequest(req, res, req.body);
});

// GET opens a session's stream and DELETE ends the session; both need an existing session.
const bySession = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const id = req.headers['mcp-session-id'];
  const transport = typeof id === 'string' ? transports.get(id) : undefined;
  if (!transport) {
    res.writeHead(404).end();
    return;
  }
  await transport.handleRequest(req, res);
};
app.get('/mcp', bySession);
app.delete('/mcp', bySession);

const listener = app.listen(0, HOST, () => {
  const { port } = listener.address() as AddressInfo;
  process.stdout.write(JSON.stringify({ url: `http://${HOST}:${port}/mcp`, pid: process.pid }) + '\n');
});
const stop = (): void => {
  for (const transport of transports.values()) void transport.close();
  listener.close(() => process.exit(0));
  listener.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
