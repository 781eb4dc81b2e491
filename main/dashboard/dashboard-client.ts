// The dashboard's "Try it" calls go through the gateway's own front door as the client `dashboard`, with a token
// that lives for this run only: authenticated, routed, checked and audited exactly as an IDE's calls are, so what
// a developer sees in the dashboard is what a client would get.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Answer, ToolResultView } from '../../preload/contract.ts';
import { SWITCHBOARD_VERSION } from '../core/version.ts';

/** A tool tried from the dashboard gets this long; the server's own call timeout applies inside the gateway. */
const TRY_TIMEOUT_MS = 120_000;

export class DashboardClient {
  readonly #url: URL;
  readonly #token: string;
  #client: Promise<Client> | null = null;

  constructor(gatewayUrl: string, token: string) {
    this.#url = new URL('/mcp', gatewayUrl);
    this.#token = token;
  }

  async callTool(name: string, args: Readonly<Record<string, unknown>>): Promise<Answer<ToolResultView>> {
    const started = performance.now();
    let client: Client;
    try {
      client = await this.#connected();
    } catch (error) {
      this.#client = null;
      return { ok: false, error: `could not reach the gateway at ${this.#url.href}: ${(error as Error).message}` };
    }
    try {
      const result = await client.callTool({ name, arguments: { ...args } }, CallToolResultSchema, {
        timeout: TRY_TIMEOUT_MS,
      });
      return {
        ok: true,
        value: {
          content: result.content as ToolResultView['content'],
          ...(result.structuredContent === undefined || result.structuredContent === null
            ? {}
            : { structuredContent: result.structuredContent as ToolResultView['structuredContent'] }),
          isError: result.isError === true,
          durationMs: Math.round(performance.now() - started),
        },
      };
    } catch (error) {
      // The session may be gone (serve restarted a part, the gateway drained): the next call connects afresh.
      const message = (error as Error).message;
      if (/session|closed|ECONNREFUSED|fetch failed/i.test(message)) this.#drop();
      return { ok: false, error: `${name}: ${message}` };
    }
  }

  #connected(): Promise<Client> {
    this.#client ??= (async () => {
      const client = new Client({ name: 'switchboard-dashboard', version: SWITCHBOARD_VERSION });
      const transport = new StreamableHTTPClientTransport(this.#url, {
        requestInit: { headers: { authorization: `Bearer ${this.#token}` } },
      });
      client.onclose = () => {
        if (this.#client !== null) this.#client = null;
      };
      await client.connect(transport);
      return client;
    })();
    return this.#client;
  }

  #drop(): void {
    const previous = this.#client;
    this.#client = null;
    void previous?.then((c) => c.close()).catch(() => {});
  }

  async close(): Promise<void> {
    const previous = this.#client;
    this.#client = null;
    await previous?.then((c) => c.close()).catch(() => {});
  }
}
