// The benchmark's upstream: one MCP server over stdio with a single tool, `echo`, that returns its argument.
// It does as little as an MCP server can, so every difference between the benchmark's rows is the hop in front of it.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

export function createEchoServer(): McpServer {
  const server = new McpServer({ name: 'bench-echo', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Returns its argument unchanged.', inputSchema: { text: z.string() } },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  return server;
}

if (import.meta.main) {
  await createEchoServer().connect(new StdioServerTransport());
}
