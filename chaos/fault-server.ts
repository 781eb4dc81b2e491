// A stdio MCP server that misbehaves on purpose, for `npm run chaos`. It speaks JSON-RPC by hand (no SDK) so that
// what it writes is exactly what the fault needs. Its one tool, `call`, answers per mode:
//   stdout-flood  correctly, while writing lines of non-JSON text to stdout all the time
//   stderr-flood  correctly, while writing to stderr all the time
//   malformed     in turn: a line that is not JSON, an answer with an id nobody asked, an error whose code is a
//                 string, a result of the wrong shape, a line of 17 MiB (over the gateway's 16 MiB line limit),
//                 and a valid 2 MiB result; each call gets its result, a clear error or the gateway's timeout
import { createInterface } from 'node:readline';

const mode = process.argv[2] ?? 'malformed';
const FLOOD_EVERY_MS = 10;
const FLOOD_LINE = `${'flood '.repeat(1_000)}\n`;

function write(message: unknown): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function text(id: unknown, value: string): void {
  write({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: value }] } });
}

let turn = 0;

function malformed(id: unknown, tag: string): void {
  switch (turn++ % 6) {
    case 0:
      process.stdout.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{\n`);
      return;
    case 1:
      write({ jsonrpc: '2.0', id: 'nobody-asked', result: { content: [] } });
      return;
    case 2:
      write({ jsonrpc: '2.0', id, error: { code: 'bad', message: 42 } });
      return;
    case 3:
      write({ jsonrpc: '2.0', id, result: { content: 'not an array' } });
      return;
    case 4:
      process.stdout.write(
        `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"pad":"${'x'.repeat(17 * 1024 * 1024)}"}}\n`,
      );
      return;
    default:
      text(id, `${tag} ${'y'.repeat(2 * 1024 * 1024)}`);
  }
}

function onMessage(message: { id?: unknown; method?: unknown; params?: Record<string, unknown> }): void {
  if (message.id === undefined || typeof message.method !== 'string') return;
  const { id } = message;
  switch (message.method) {
    case 'initialize':
      write({
        jsonrpc: '2.0',
        id,
        result: {
          protocolVersion: String(message.params?.protocolVersion ?? '2025-11-25'),
          capabilities: { tools: {} },
          serverInfo: { name: `chaos-${mode}`, version: '1.0.0' },
        },
      });
      return;
    case 'ping':
      write({ jsonrpc: '2.0', id, result: {} });
      return;
    case 'tools/list':
      write({
        jsonrpc: '2.0',
        id,
        result: { tools: [{ name: 'call', inputSchema: { type: 'object', properties: { tag: { type: 'string' } } } }] },
      });
      return;
    case 'tools/call': {
      const tag = String((message.params?.arguments as { tag?: unknown } | undefined)?.tag ?? '');
      if (mode === 'malformed') malformed(id, tag);
      else text(id, tag);
      return;
    }
    default:
      write({ jsonrpc: '2.0', id, error: { code: -32601, message: `no method ${message.method}` } });
  }
}

if (mode === 'stdout-flood') setInterval(() => process.stdout.write(FLOOD_LINE), FLOOD_EVERY_MS);
if (mode === 'stderr-flood') setInterval(() => process.stderr.write(FLOOD_LINE), FLOOD_EVERY_MS);

createInterface({ input: process.stdin }).on('line', (line) => {
  try {
    onMessage(JSON.parse(line) as Parameters<typeof onMessage>[0]);
  } catch {
    // Not JSON from the gateway: nothing to answer.
  }
});
process.stdin.on('end', () => process.exit(0));
