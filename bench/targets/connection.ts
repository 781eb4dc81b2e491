// One MCP client session to a target, and the call every measurement makes through it.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** Far above any expected latency; a call that takes this long is a failure, not a sample. */
const CALL_TIMEOUT_MS = 30_000;

export interface Connection {
  readonly client: Client;
  /** Ends the session (DELETE for HTTP, so a peer can release what it holds for it) and closes the transport. */
  close(): Promise<void>;
}

function newClient(): Client {
  return new Client({ name: 'switchboard-bench', version: '1.0.0' });
}

export async function connectHttp(url: string, headers: Readonly<Record<string, string>> = {}): Promise<Connection> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { ...headers } } });
  const client = newClient();
  await client.connect(transport);
  return {
    client,
    async close() {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

export interface StdioConnection extends Connection {
  /** The server process the client spawned. */
  readonly pid: number;
}

export async function connectStdio(command: string, args: readonly string[]): Promise<StdioConnection> {
  const transport = new StdioClientTransport({ command, args: [...args], stderr: 'inherit' });
  const client = newClient();
  await client.connect(transport);
  return { client, pid: transport.pid!, close: () => client.close() };
}

/** One echo call; throws unless the tool answered with exactly the text it was sent. */
export type Call = (text: string) => Promise<void>;

export function echoCall(client: Client, tool: string): Call {
  return async (text) => {
    const result = await client.callTool({ name: tool, arguments: { text } }, undefined, { timeout: CALL_TIMEOUT_MS });
    const content = result.content as readonly { type: string; text?: string }[] | undefined;
    if (result.isError === true || content?.[0]?.text !== text) {
      const got = JSON.stringify(result).slice(0, 200);
      throw new Error(`${tool} did not echo its argument (${text.length} characters); got ${got}`);
    }
  };
}

/** The HTTP status a peer refused a request with (413 for a body over its limit), or null for other failures. */
export function refusedStatus(error: unknown): number | null {
  return error instanceof StreamableHTTPError && typeof error.code === 'number' && error.code >= 400
    ? error.code
    : null;
}
