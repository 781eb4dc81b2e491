// Starts a real Switchboard core in this process on a free loopback port, with a temp data directory, real
// supervised servers and a real client token, and tears everything down afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ConfigInput } from '../../main/config/schema.ts';
import { writeConfig } from '../../main/config/write-config.ts';
import { Core } from '../../main/core/core.ts';
import { createLogger, type Logger } from '../../main/log/logger.ts';
import { dataDirPaths } from '../../main/paths/data-dir.ts';
import type { ServerState } from '../../main/supervisor/server-state.ts';

export const REPO = new URL('../../', import.meta.url).pathname;
export const FIXTURE = join(REPO, 'test/fixtures/stdio-server.ts');
export const NODE = process.execPath;

/** A stdio server entry running the fixture in the given mode. */
export function fixtureServer(mode = 'echo', extra: Partial<StdioServerInput> = {}): StdioServerInput {
  return { command: NODE, args: [FIXTURE, mode], ...extra };
}

export const GATEWAY_FIXTURE = join(REPO, 'test/fixtures/gateway-fixture.ts');

/** A stdio server entry running the gateway fixture (test/fixtures/gateway-fixture.ts) in the given mode. */
export function gatewayFixtureServer(mode = 'tools', extra: Partial<StdioServerInput> = {}): StdioServerInput {
  return { command: NODE, args: [GATEWAY_FIXTURE, mode], ...extra };
}

export type StdioServerInput = Extract<NonNullable<ConfigInput['servers']>[string], { command: string }>;

export function binOf(pkg: string, entry: string): string {
  return join(REPO, 'node_modules', pkg, entry);
}

export interface Harness {
  readonly core: Core;
  readonly dataDir: string;
  readonly url: string;
  readonly origin: string;
  /** A valid client token named `test-client`. */
  readonly token: string;
  readonly logLines: string[];
  mintToken(name: string): Promise<string>;
  connect(options?: { token?: string; path?: string; name?: string }): Promise<Client>;
  waitForState(server: string, predicate: (s: ServerState) => boolean, timeoutMs?: number): Promise<ServerState>;
  close(): Promise<void>;
}

export async function startHarness(
  config: ConfigInput,
  options: { logger?: Logger; beforeStart?: (dataDir: string) => Promise<void> } = {},
): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-e2e-'));
  const written = await writeConfig(dataDirPaths(dataDir).config, config);
  if (!written.ok) throw new Error(`bad test config: ${JSON.stringify(written.problems)}`);
  await options.beforeStart?.(dataDir);
  const logLines: string[] = [];
  const logger = options.logger ?? createLogger({ level: 'debug', write: (line) => logLines.push(line) });
  const started = await Core.start({ dataDir, logger, port: 0 });
  if (!started.ok) throw new Error(started.error);
  const core = started.core;
  const minted = await core.tokens.create('test-client');
  if (!minted.ok) throw new Error(minted.error);
  const clients: Client[] = [];

  const harness: Harness = {
    core,
    dataDir,
    url: core.gatewayUrl,
    origin: new URL(core.gatewayUrl).origin,
    token: minted.value.token,
    logLines,
    async mintToken(name) {
      const result = await core.tokens.create(name);
      if (!result.ok) throw new Error(result.error);
      return result.value.token;
    },
    async connect(opts = {}) {
      const client = new Client(
        { name: opts.name ?? 'e2e', version: '1.0.0' },
        { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
      );
      const url = new URL(opts.path ?? '/mcp', harness.origin);
      const transport = new StreamableHTTPClientTransport(url, {
        requestInit: { headers: { authorization: `Bearer ${opts.token ?? harness.token}` } },
      });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    waitForState(server, predicate, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const managed = core.supervisor.get(server);
        if (managed && predicate(managed.state)) return resolve(managed.state);
        const timer = setTimeout(() => {
          core.supervisor.off('state', listener);
          const now = core.supervisor.get(server)?.state;
          reject(
            new Error(`server ${server} did not reach the state within ${timeoutMs} ms; now ${JSON.stringify(now)}`),
          );
        }, timeoutMs);
        const listener = (name: string, state: ServerState): void => {
          if (name !== server || !predicate(state)) return;
          clearTimeout(timer);
          core.supervisor.off('state', listener);
          resolve(state);
        };
        core.supervisor.on('state', listener);
      });
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      await core.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

export const isRunning = (s: ServerState): boolean => s.state === 'running';
