// What the policy tests share: a core with the policy fixture (test/fixtures/policy-server.ts), the text of a
// tool result, and what the fixture received, asked by the unrestricted `test-client` token.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ConfigInput } from '../../../main/config/schema.ts';
import { NODE, REPO, isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';

const POLICY_FIXTURE = join(REPO, 'test/fixtures/policy-server.ts');

/**
 * A stdio server entry running the policy fixture; `label` prefixes its echo, to tell processes apart. `extra`
 * follows them (the `mutable` mode's definitions file).
 */
export function policyServer(mode = 'tools', label = mode, ...extra: string[]): { command: string; args: string[] } {
  return { command: NODE, args: [POLICY_FIXTURE, mode, label, ...extra] };
}

/** A core whose servers (by default one policy fixture named fs) all run, torn down when the test ends. */
export async function startPolicyCore(t: TestContext, config: ConfigInput = {}): Promise<Harness> {
  const h = await startHarness({ servers: { fs: policyServer() }, ...config });
  t.after(() => h.close());
  for (const name of Object.keys(config.servers ?? { fs: null })) await h.waitForState(name, isRunning);
  return h;
}

export const textOf = (result: unknown): string =>
  ((result as CallToolResult).content as { type: string; text: string }[]).map((c) => c.text).join('\n');

/** The tools/call requests a fixture process received, by tool. */
export async function received(h: Harness, server = 'fs'): Promise<Record<string, number>> {
  const counter = await h.connect();
  const answer = await counter.callTool({ name: `${server}__calls`, arguments: {} });
  await counter.close();
  return JSON.parse(textOf(answer)) as Record<string, number>;
}

/** A client on `/mcp` under its own token name, declaring elicitation unless told not to; closed when the test ends. */
export async function clientNamed(
  t: TestContext,
  h: Harness,
  name: string,
  options: { elicitation?: boolean } = {},
): Promise<Client> {
  const token = await h.mintToken(name);
  const client = new Client(
    { name, version: '1.0.0' },
    { capabilities: options.elicitation === false ? {} : { elicitation: {} } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', h.origin), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  t.after(() => client.close());
  return client;
}

/** The JSON-RPC error a request is refused with (fails when it succeeds or fails otherwise). */
export async function refusal(promise: Promise<unknown>): Promise<McpError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof McpError, `expected a JSON-RPC error, got ${JSON.stringify(error)}`);
  return error;
}

export const names = async (client: Client): Promise<string[]> => (await client.listTools()).tools.map((t) => t.name);
