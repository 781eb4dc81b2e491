// A stdio MCP server for the modern-era tests. It speaks the legacy protocol only (SDK 1.x, initialize at
// 2025-11-25), as most upstreams do, so every modern request reaching it has crossed the gateway's era boundary.
//   echo      returns its text
//   greet     has arguments mirrored into headers (`x-mcp-header`): name → Mcp-Param-Name, count → Mcp-Param-Count
//   sleep     answers after `ms`, sending a progress notification every 50 ms when asked for progress
//   add-tool  adds a tool named `text`, so the server announces notifications/tools/list_changed
//   calls     returns how many tools/call requests it has received, by tool (what "nothing forwarded" counts)
//   ask-name  asks its client for a name (elicitation/create) during the call and greets with it; a refusal is
//             answered as a tool error naming the client's JSON-RPC error code and message
//   ask-and-report  asks for a name the same way; while it waits for the answer, a SIGUSR2 makes it report on the
//             call (a progress notification when the call has a progress token, and an `info` log message
//             `still waiting`), then write `reported` to stderr
//   connect   a URL-mode elicitation (elicitationId `connect-<n>`): once the client accepts, the out-of-band step
//             is taken as done, `notifications/elicitation/complete` is sent for it, and the call answers
//             `connected <elicitationId>` (or `not connected (<action>)`)
// Each cancellation it receives is written to stderr as `cancelled <tool> request=<id> at=<epoch ms>`.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  ElicitResultSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

const received = new Map<string, number>();
let connections = 0;
/** What SIGUSR2 does: report on the call waiting in `ask-and-report`, if one is. */
let report: (() => Promise<void>) | null = null;
process.on('SIGUSR2', () => {
  void report?.().then(() => process.stderr.write('reported\n'));
});
const added = new Set<string>();
const server = new Server(
  { name: 'modern-fixture', version: '1.0.0' },
  { capabilities: { tools: { listChanged: true }, logging: {} } },
);

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });
const object = (properties: Record<string, object>, required: string[] = []): Tool['inputSchema'] => ({
  type: 'object',
  properties,
  required,
});

function tools(): Tool[] {
  return [
    { name: 'echo', description: 'Returns its text.', inputSchema: object({ text: { type: 'string' } }, ['text']) },
    {
      name: 'greet',
      description: 'Greets; its arguments travel in Mcp-Param headers too.',
      inputSchema: object(
        {
          name: { type: 'string', 'x-mcp-header': 'Name' },
          count: { type: 'integer', 'x-mcp-header': 'Count' },
        },
        ['name'],
      ),
    },
    { name: 'sleep', description: 'Answers after `ms`.', inputSchema: object({ ms: { type: 'number' } }, ['ms']) },
    {
      name: 'add-tool',
      description: 'Adds a tool named `text`.',
      inputSchema: object({ text: { type: 'string' } }, ['text']),
    },
    { name: 'calls', description: 'Counts the calls received, by tool.', inputSchema: object({}) },
    { name: 'ask-name', description: 'Asks the user for a name, then greets.', inputSchema: object({}) },
    {
      name: 'ask-and-report',
      description: 'Asks for a name; reports on the call while waiting.',
      inputSchema: object({}),
    },
    { name: 'connect', description: 'Sends the user to a URL, then answers.', inputSchema: object({}) },
    ...[...added].map((name) => ({ name, description: 'Added at run time.', inputSchema: object({}) })),
  ];
}

server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools() }));

function askName(extra: RequestHandlerExtra<ServerRequest, ServerNotification>) {
  return extra.sendRequest(
    {
      method: 'elicitation/create',
      params: {
        message: 'What is your name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      },
    },
    ElicitResultSchema,
  );
}

server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
  const name = request.params.name;
  const args = (request.params.arguments ?? {}) as Record<string, unknown>;
  received.set(name, (received.get(name) ?? 0) + 1);
  extra.signal.addEventListener('abort', () => {
    process.stderr.write(`cancelled ${name} request=${String(extra.requestId)} at=${Date.now()}\n`);
  });
  switch (name) {
    case 'echo':
      return text(String(args.text));
    case 'greet':
      return text(`hello ${String(args.name)} x${String(args.count ?? 1)}`);
    case 'sleep': {
      const token = request.params._meta?.progressToken;
      const ms = Number(args.ms);
      const started = Date.now();
      while (Date.now() - started < ms) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, ms - (Date.now() - started))));
        if (extra.signal.aborted) throw new Error('cancelled');
        if (token !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: Date.now() - started, total: ms },
          });
        }
      }
      return text(`slept ${ms} ms`);
    }
    case 'add-tool':
      added.add(String(args.text));
      await server.sendToolListChanged();
      return text(`added ${String(args.text)}`);
    case 'calls':
      return text(JSON.stringify(Object.fromEntries(received)));
    case 'ask-name':
      try {
        const answer = await askName(extra);
        return text(
          answer.action === 'accept' ? `hello ${String(answer.content?.name)}` : `no name (${answer.action})`,
        );
      } catch (error) {
        const { code, message } = error as { code?: number; message: string };
        return { content: [{ type: 'text', text: `refused ${String(code)}: ${message}` }], isError: true };
      }
    case 'ask-and-report': {
      const token = request.params._meta?.progressToken;
      report = async () => {
        if (token !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: 1, message: 'still waiting' },
          });
        }
        await extra.sendNotification({
          method: 'notifications/message',
          params: { level: 'info', data: 'still waiting' },
        });
      };
      try {
        const answer = await askName(extra);
        return text(answer.action === 'accept' ? `hello ${String(answer.content?.name)}` : answer.action);
      } finally {
        report = null;
      }
    }
    case 'connect': {
      const elicitationId = `connect-${++connections}`;
      const answer = await extra.sendRequest(
        {
          method: 'elicitation/create',
          params: {
            mode: 'url',
            message: 'Connect your account.',
            url: `https://accounts.example/connect?flow=${elicitationId}`,
            elicitationId,
          },
        },
        ElicitResultSchema,
      );
      if (answer.action !== 'accept') return text(`not connected (${answer.action})`);
      await extra.sendNotification({ method: 'notifications/elicitation/complete', params: { elicitationId } });
      return text(`connected ${elicitationId}`);
    }
    default:
      if (added.has(name)) return text(`called ${name}`);
      return { content: [{ type: 'text', text: `no tool named ${name}` }], isError: true };
  }
});

await server.connect(new StdioServerTransport());
