// `doctor`: reads what is written in a client's file and connects exactly as that client would (runs the stdio
// command with the environment the client gives its servers, or calls the URL with the header it would send),
// lists the tools, and reports each check that passed or failed with what to do.
import { access, constants, stat } from 'node:fs/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { SecretVault } from '../vault/vault.ts';
import type { ClientConnections, Target } from './client-connections.ts';
import { CLIENTS, TOKEN_ENV, homeOf, type ChildEnvRule, type ClientEnv, type ClientId } from './client-registry.ts';
import { ENTRY_NAME, clientTokenSecret, ourEntryKind } from './our-entry.ts';

export interface DoctorCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface DoctorReport {
  readonly client: ClientId;
  readonly file: string;
  readonly ok: boolean;
  readonly checks: readonly DoctorCheck[];
  /** The tool names the client would see, when it got that far. */
  readonly tools?: readonly string[];
}

const CONNECT_TIMEOUT_MS = 20_000;

/** What Codex passes to a server on POSIX besides `env_vars` and `env`. */
const CODEX_ALLOWED = [
  'HOME',
  'LOGNAME',
  'PATH',
  'SHELL',
  'USER',
  '__CF_USER_TEXT_ENCODING',
  'LANG',
  'LC_ALL',
  'TERM',
  'TMPDIR',
  'TZ',
];
/** Variables Gemini CLI removes before it spawns a server, unless the entry's `env` sets them. */
const GEMINI_REDACTED = /TOKEN|SECRET|PASSWORD|KEY|AUTH|CREDENTIAL/i;

export class ClientDoctor {
  readonly #connections: ClientConnections;
  readonly #vault: SecretVault;
  readonly #env: ClientEnv;

  constructor(deps: { connections: ClientConnections; vault: SecretVault; env: ClientEnv }) {
    this.#connections = deps.connections;
    this.#vault = deps.vault;
    this.#env = deps.env;
  }

  async run(id: ClientId, target: Target = {}): Promise<DoctorReport> {
    const checks: DoctorCheck[] = [];
    const location = this.#connections.location(id, target);
    const report = (tools?: string[]): DoctorReport => ({
      client: id,
      file: location.file,
      ok: checks.every((c) => c.ok),
      checks,
      ...(tools === undefined ? {} : { tools }),
    });
    let entry: unknown;
    try {
      entry = (await this.#connections.servers(id, target))[ENTRY_NAME];
      checks.push({ name: 'file', ok: true, detail: `${location.file} parses` });
    } catch (error) {
      checks.push({ name: 'file', ok: false, detail: (error as Error).message });
      return report();
    }
    const kind = ourEntryKind(entry);
    if (entry === undefined || kind === null) {
      const detail =
        entry === undefined
          ? `no "${ENTRY_NAME}" entry: run switchboard connect ${id}`
          : `the "${ENTRY_NAME}" entry is not Switchboard's`;
      checks.push({ name: 'entry', ok: false, detail });
      return report();
    }
    const status = await this.#connections.status(id, target);
    checks.push({
      name: 'entry',
      ok: status.state === 'connected',
      detail:
        status.state === 'connected'
          ? `our ${kind} entry is as connect wrote it`
          : `${status.reason ?? status.state}: run switchboard connect ${id} to repair`,
    });
    const transport = await this.#transport(id, entry as Record<string, unknown>, kind, checks);
    if (transport === null) return report();
    const client = new Client({ name: `switchboard-doctor-${id}`, version: '1.0.0' });
    try {
      const tools = await withTimeout(listTools(client, transport), CONNECT_TIMEOUT_MS);
      checks.push({ name: 'gateway', ok: true, detail: `connected and listed ${tools.length} tools` });
      const limit = CLIENTS[id].toolLimit;
      if (limit !== undefined && tools.length > limit) {
        checks.push({
          name: 'tool limit',
          ok: false,
          detail: `${CLIENTS[id].label} is reported to use at most ${limit} tools; ${tools.length} are offered`,
        });
      }
      return report(tools);
    } catch (error) {
      const stderr = transport instanceof StdioClientTransport ? this.#stderr.trim() : '';
      checks.push({
        name: 'gateway',
        ok: false,
        detail: `${(error as Error).message}${stderr === '' ? '' : `; the bridge said: ${stderr}`}`,
      });
      return report();
    } finally {
      await client.close().catch(() => {});
    }
  }

  #stderr = '';

  /** The transport the client would open, or null (with a failed check) when it could not even start. */
  async #transport(
    id: ClientId,
    entry: Record<string, unknown>,
    kind: 'stdio' | 'url',
    checks: DoctorCheck[],
  ): Promise<Transport | null> {
    if (kind === 'stdio') {
      const command = String(entry['command']);
      const runnable = await access(command, constants.X_OK).then(
        () => stat(command).then((s) => s.isFile()),
        () => false,
      );
      checks.push({
        name: 'command',
        ok: runnable,
        detail: runnable ? `${command} is executable` : `${command} is missing or not executable`,
      });
      if (!runnable) return null;
      this.#stderr = '';
      const transport = new StdioClientTransport({
        command,
        args: (entry['args'] as unknown[]).map(String),
        env: childEnv(CLIENTS[id].childEnv, this.#env.env, entry),
        cwd: homeOf(this.#env),
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString('utf8')));
      return transport;
    }
    const url = String(entry['url'] ?? entry['serverUrl']);
    const header = await this.#authorization(entry, checks);
    if (header === null) return null;
    return new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: header } } });
  }

  /** The Authorization header the client would send, with its reference resolved as the client resolves it. */
  async #authorization(entry: Record<string, unknown>, checks: DoctorCheck[]): Promise<string | null> {
    const written =
      typeof entry['bearer_token_env_var'] === 'string'
        ? `Bearer \${${entry['bearer_token_env_var']}}`
        : String((entry['headers'] as Record<string, unknown>)['Authorization']);
    const input = /\$\{input:[^}]+\}/.exec(written);
    if (input !== null) {
      // Only VS Code holds what was typed at its prompt; the token it should be is the one in our vault.
      const stored = await this.#vault.get(clientTokenSecret('vscode'));
      const value = stored.ok ? stored.value : null;
      checks.push({
        name: 'token',
        ok: value !== null,
        detail:
          value !== null
            ? 'VS Code asks for the token once; checked with the one in the vault'
            : 'no token in the vault: run switchboard connect vscode --url',
      });
      return value === null ? null : written.replace(input[0], value);
    }
    const variable = /\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}/.exec(written);
    const name = variable?.[1] ?? TOKEN_ENV;
    const value = this.#env.env[name];
    if (value === undefined || value === '') {
      checks.push({
        name: 'token',
        ok: false,
        detail: `${name} is not set in the environment the client starts with; set it to the token connect printed`,
      });
      return null;
    }
    checks.push({ name: 'token', ok: true, detail: `${name} is set` });
    return variable === null ? written : written.replace(variable[0], value);
  }
}

/** The environment a client gives the server it starts, from its own environment and the entry's settings. */
export function childEnv(
  rule: ChildEnvRule,
  own: NodeJS.ProcessEnv,
  entry: Record<string, unknown>,
): Record<string, string> {
  const set = Object.fromEntries(
    Object.entries((entry['env'] as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)]),
  );
  const defined = Object.entries(own).filter((pair): pair is [string, string] => pair[1] !== undefined);
  switch (rule) {
    case 'inherit':
      return { ...Object.fromEntries(defined), ...set };
    case 'codex-allow-list': {
      const allowed = new Set([...CODEX_ALLOWED, ...((entry['env_vars'] as string[] | undefined) ?? [])]);
      return { ...Object.fromEntries(defined.filter(([k]) => allowed.has(k))), ...set };
    }
    case 'gemini-redaction':
      return { ...Object.fromEntries(defined.filter(([k]) => !GEMINI_REDACTED.test(k))), ...set };
  }
}

async function listTools(client: Client, transport: Transport): Promise<string[]> {
  await client.connect(transport);
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    names.push(...page.tools.map((t) => t.name));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return names;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
