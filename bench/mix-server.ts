// The realistic mix's upstream (bench/mix.ts): an MCP server over stdio with one tool, `work`, that sleeps a set
// time and answers with a payload of a set size, as a real tool spends time in an API or on disk and returns a
// page or a file. `node bench/mix-server.ts --sleep-ms 100 --bytes 10240`.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

export function createMixServer(sleepMs: number, bytes: number): McpServer {
  const payload = 'x'.repeat(bytes);
  const server = new McpServer({ name: 'bench-mix', version: '1.0.0' });
  server.registerTool(
    'work',
    {
      description: `Waits ${sleepMs} ms, then returns ${bytes} characters of text.`,
      inputSchema: { seq: z.number().int().min(0).describe('The call number, for telling answers apart.') },
    },
    async () => {
      await sleep(sleepMs);
      return { content: [{ type: 'text', text: payload }] };
    },
  );
  return server;
}

function whole(name: string, value: string | undefined, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new Error(`--${name} must be a whole number from 0 to ${max}, got "${value}"`);
  }
  return n;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { 'sleep-ms': { type: 'string' }, bytes: { type: 'string' } } });
  const sleepMs = whole('sleep-ms', values['sleep-ms'], 60_000);
  const bytes = whole('bytes', values.bytes, 16 * 1024 * 1024);
  await createMixServer(sleepMs, bytes).connect(new StdioServerTransport());
}
