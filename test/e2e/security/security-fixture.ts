// A stdio MCP server for the security tests; it counts what it receives and can be made noisy.
//   echo           returns its text
//   flood          sends `count` progress notifications of `size` characters each (waiting for stdout to drain,
//                  so the gateway gets them as fast as it reads, or `everyMs` apart), then returns how many it sent
//   log-flood      sends `count` log messages (notifications/message) as fast as stdout drains, then returns
//   add-tool       registers one more tool, so the server announces notifications/tools/list_changed
//   stray-progress answers at once, then sends progress for its finished token and for tokens never issued
//   calls          returns how many tools/call requests it has received, by tool
//   big            returns one text of `size` characters, after one progress notification when asked for progress
//   unterminated   writes `mib` MiB to stdout without a newline (as stdout drains), then nothing more
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const received = new Map<string, number>();
const count = (tool: string): void => void received.set(tool, (received.get(tool) ?? 0) + 1);
const server = new McpServer({ name: 'security-fixture', version: '1.0.0' }, { capabilities: { logging: {} } });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

server.registerTool('echo', { description: 'Returns its text.', inputSchema: { text: z.string() } }, ({ text }) => {
  count('echo');
  return { content: [{ type: 'text', text }] };
});

server.registerTool(
  'flood',
  {
    description: 'Sends many progress notifications, then returns.',
    inputSchema: {
      count: z.number().int().min(1),
      size: z.number().int().min(1),
      everyMs: z.number().int().min(1).optional(),
    },
  },
  async ({ count: total, size, everyMs }, extra) => {
    count('flood');
    const token = extra._meta?.progressToken;
    if (token === undefined) return { content: [{ type: 'text', text: 'sent 0: no progress token' }], isError: true };
    const message = 'x'.repeat(size);
    for (let i = 1; i <= total; i++) {
      await extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: i, total, message },
      });
      if (everyMs !== undefined) await sleep(everyMs);
    }
    return { content: [{ type: 'text', text: `sent ${total}` }] };
  },
);

server.registerTool(
  'log-flood',
  { description: 'Sends many log messages, then returns.', inputSchema: { count: z.number().int().min(1) } },
  async ({ count: total }, extra) => {
    count('log-flood');
    for (let i = 1; i <= total; i++) {
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: i } });
    }
    return { content: [{ type: 'text', text: `sent ${total}` }] };
  },
);

let added = 0;
server.registerTool('add-tool', { description: 'Registers one more tool.' }, () => {
  count('add-tool');
  added += 1;
  const name = `extra-${added}`;
  server.registerTool(name, { description: 'Added at run time.' }, () => ({ content: [{ type: 'text', text: name }] }));
  return { content: [{ type: 'text', text: name }] };
});

server.registerTool('stray-progress', { description: 'Sends progress nobody asked for.' }, (extra) => {
  count('stray-progress');
  const finished = extra._meta?.progressToken;
  setTimeout(() => {
    for (const progressToken of [finished ?? 'none', 'never-issued', 1, 2, 3]) {
      void extra
        .sendNotification({ method: 'notifications/progress', params: { progressToken, progress: 1 } })
        .catch(() => {});
    }
  }, 20);
  return { content: [{ type: 'text', text: 'answered' }] };
});

server.registerTool('calls', { description: 'Counts the tools/call requests received.' }, () => ({
  content: [{ type: 'text', text: JSON.stringify(Object.fromEntries(received)) }],
}));

server.registerTool(
  'big',
  { description: 'Returns one text of `size` characters.', inputSchema: { size: z.number().int().min(1) } },
  async ({ size }, extra) => {
    count('big');
    const progressToken = extra._meta?.progressToken;
    if (progressToken !== undefined) {
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: 1 } });
    }
    return { content: [{ type: 'text', text: 'b'.repeat(size) }] };
  },
);

server.registerTool(
  'unterminated',
  { description: 'Writes `mib` MiB to stdout without a newline.', inputSchema: { mib: z.number().int().min(1) } },
  async ({ mib }) => {
    count('unterminated');
    const chunk = Buffer.alloc(1024 * 1024, 0x75);
    for (let i = 0; i < mib; i++) {
      if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
    return new Promise<never>(() => {});
  },
);

await server.connect(new StdioServerTransport());
