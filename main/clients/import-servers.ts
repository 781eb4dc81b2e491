// Import: the MCP servers a client already runs, read from its file in any of the shapes clients write, turned into
// Switchboard servers. Literal secrets in env or headers go to the vault and become `${secret:NAME}` references;
// references the client resolves itself (`${env:X}`, `${input:x}`) cannot be followed and are named as notes.
import { SERVER_NAME_PATTERN, type ConfigInput } from '../config/schema.ts';
import { SECRET_HEADERS } from '../redact/redactor.ts';
import { SECRET_NAME_PATTERN } from '../vault/secret-refs.ts';
import { CLIENTS, type ClientId } from './client-registry.ts';
import { ENTRY_NAME, ourEntryKind } from './our-entry.ts';

type ServerInput = NonNullable<ConfigInput['servers']>[string];

export interface ImportedServer {
  /** The name in the client's file. */
  readonly source: string;
  /** The name it gets in config.json. */
  readonly name: string;
  readonly server: ServerInput;
  /** Secret values to store before the server is added, by secret name; never shown or logged. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Where each moved secret came from, for the person: `env.GITHUB_TOKEN → ${secret:github.GITHUB_TOKEN}`. */
  readonly moved: readonly string[];
  readonly notes: readonly string[];
}

export interface SkippedServer {
  readonly source: string;
  readonly reason: string;
}

export interface ImportPlan {
  readonly servers: readonly ImportedServer[];
  readonly skipped: readonly SkippedServer[];
}

/** Names of variables and headers whose literal values are credentials. */
const SECRET_NAME = /token|secret|passw|key|auth|credential|cookie|session|pat$/i;
/** Shapes of credentials whatever their name (the redactor's common shapes). */
const SECRET_SHAPE = /^(?:gh[pousr]_|github_pat_|sk-|xox[abposr]-|AKIA|ASIA|sbt_|eyJ)/;

/** Reads every server of a client's file (other than ours) as Switchboard would run it. */
export function planImport(
  id: ClientId,
  servers: Readonly<Record<string, unknown>>,
  existing: ReadonlySet<string>,
): ImportPlan {
  const planned: ImportedServer[] = [];
  const skipped: SkippedServer[] = [];
  const taken = new Set(existing);
  for (const [source, raw] of Object.entries(servers)) {
    if (source === ENTRY_NAME && ourEntryKind(raw) !== null) continue;
    const normalised = normalise(id, raw);
    if (typeof normalised === 'string') {
      skipped.push({ source, reason: normalised });
      continue;
    }
    const name = serverName(source);
    if (name === null) {
      skipped.push({ source, reason: 'its name has no letters or digits to make a server name of' });
      continue;
    }
    if (taken.has(name)) {
      skipped.push({ source, reason: `config.json already has a server named "${name}"` });
      continue;
    }
    taken.add(name);
    planned.push(moveSecrets(source, name, normalised));
  }
  return { servers: planned, skipped };
}

interface Normalised {
  readonly server: ServerInput;
  readonly notes: string[];
}

/** One entry in any client's shape → a Switchboard server, or why it cannot be imported. */
function normalise(id: ClientId, raw: unknown): Normalised | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'it is not an object';
  let entry = raw as Record<string, unknown>;
  if (entry['source'] === 'extension') return 'it belongs to a Zed extension';
  // Zed's older shape nests the command; Cline's CLI nests the transport.
  if (typeof entry['command'] === 'object' && entry['command'] !== null) {
    const nested = entry['command'] as Record<string, unknown>;
    entry = { ...entry, command: nested['path'], args: nested['args'], env: nested['env'] };
  }
  if (typeof entry['transport'] === 'object' && entry['transport'] !== null) {
    entry = { ...entry, ...(entry['transport'] as Record<string, unknown>) };
  }
  const enabled = !(entry['disabled'] === true || entry['enabled'] === false);
  const notes: string[] = [];
  if (typeof entry['command'] === 'string') {
    const server: ServerInput = {
      command: entry['command'],
      args: strings(entry['args']),
      env: stringRecord(entry['env']),
      ...(typeof entry['cwd'] === 'string' ? { cwd: entry['cwd'] } : {}),
      ...(enabled ? {} : { enabled: false }),
      // Read from another program's file: it runs once a person approves its command here (T77).
      origin: 'import',
    };
    return { server, notes };
  }
  const url = [entry['url'], entry['serverUrl'], entry['httpUrl'], entry['uri']].find((u) => typeof u === 'string');
  if (typeof url !== 'string') return 'it has neither a command nor a URL';
  if (!/^https?:\/\//i.test(url))
    return `its URL ${url.split(':')[0]}:// is not HTTP (Switchboard connects over http and https)`;
  const type = String(entry['type'] ?? entry['transportType'] ?? '');
  // Cline reads an untyped URL as SSE; Gemini and the rest as Streamable HTTP (with SSE fallback).
  const sse = type === 'sse' || (type === '' && id === 'cline' && entry['httpUrl'] === undefined);
  const headers = { ...stringRecord(entry['headers']), ...stringRecord(entry['http_headers']) };
  const bearerVar = entry['bearer_token_env_var'];
  if (typeof bearerVar === 'string') {
    notes.push(
      `its token comes from ${CLIENTS[id].label}'s environment variable ${bearerVar}: store it with switchboard secret set and add an Authorization header`,
    );
  }
  const server: ServerInput = {
    url,
    transport: sse ? 'sse' : 'http',
    headers,
    ...(enabled ? {} : { enabled: false }),
  };
  return { server, notes };
}

/** Literal secrets out into the vault; client-side references named, since Switchboard cannot resolve them. */
function moveSecrets(source: string, name: string, normalised: Normalised): ImportedServer {
  const secrets: Record<string, string> = {};
  const moved: string[] = [];
  const notes = [...normalised.notes];
  const server = structuredClone(normalised.server) as Record<string, unknown>;
  for (const field of ['env', 'headers'] as const) {
    const values = server[field] as Record<string, string> | undefined;
    if (values === undefined) continue;
    for (const [key, value] of Object.entries(values)) {
      if (/\$\{(?!secret:)[^}]*\}|\$[A-Z_][A-Z0-9_]*/.test(value)) {
        notes.push(
          `${field}.${key} refers to a variable of the client (${value}); set its value with switchboard secret set and use \${secret:NAME}`,
        );
        continue;
      }
      const bearer = /^(Bearer|Basic|token)\s+(.+)$/i.exec(value);
      const secretValue = bearer?.[2] ?? value;
      const sensitive =
        SECRET_NAME.test(key) || SECRET_HEADERS.has(key.toLowerCase()) || SECRET_SHAPE.test(secretValue.trim());
      if (!sensitive || secretValue.trim() === '') continue;
      const secret = secretName(name, key);
      secrets[secret] = secretValue;
      values[key] = bearer === null ? `\${secret:${secret}}` : `${bearer[1]} \${secret:${secret}}`;
      moved.push(`${field}.${key} → \${secret:${secret}}`);
    }
  }
  return { source, name, server: server as ServerInput, secrets, moved, notes };
}

/** A server name config.json accepts: lower case letters, digits and dashes, at most 32. */
function serverName(source: string): string | null {
  const name = source
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 32)
    .replace(/-$/, '');
  return SERVER_NAME_PATTERN.test(name) ? name : null;
}

function secretName(server: string, key: string): string {
  const name = `${/^[0-9]/.test(server) ? '_' : ''}${server}.${key.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  return SECRET_NAME_PATTERN.test(name) ? name : `imported.${server}`;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}
