// Our entry in a client file: what connect writes (the bridge by absolute path, or the gateway URL with a token
// reference), and how an existing `switchboard` entry is recognised as ours: by its command and arguments or its
// token reference, never by a marker key (Codex rejects unknown keys).
import { isDeepStrictEqual } from 'node:util';
import { resolveDataDir } from '../paths/data-dir.ts';
import {
  CLIENTS,
  TOKEN_ENV,
  VSCODE_INPUT_ID,
  type BridgeLauncher,
  type ClientEnv,
  type ClientId,
  type EntrySpec,
} from './client-registry.ts';

/** The name of our entry in every client file. */
export const ENTRY_NAME = 'switchboard';

/** The vault entry holding a client's gateway token, which the bridge reads. */
export function clientTokenSecret(id: string): string {
  return `client-token.${id}`;
}

/** VS Code's prompt for the token of a URL entry: asked once, kept in VS Code's secret storage. */
export const VSCODE_TOKEN_INPUT = {
  type: 'promptString',
  id: VSCODE_INPUT_ID,
  description: 'Switchboard token',
  password: true,
} as const;

/**
 * How the bridge is started for `id`. `--data-dir` is added only when the data directory is not the one the bridge
 * would find by itself: a client started from the dock has neither our shell's SWITCHBOARD_HOME nor its flags.
 */
export function bridgeSpec(launcher: BridgeLauncher, id: ClientId, dataDir: string, env: ClientEnv): EntrySpec {
  const fallback = resolveDataDir({
    env: { ...env.env, SWITCHBOARD_HOME: undefined },
    platform: env.platform,
    homedir: env.homedir,
  });
  return {
    kind: 'stdio',
    command: launcher.command,
    args: [...launcher.args, 'bridge', '--client', id, ...(fallback === dataDir ? [] : ['--data-dir', dataDir])],
    env: { ...launcher.env },
  };
}

export type EntryKind = 'stdio' | 'url';

/** Whether an entry named `switchboard` is ours, and of which kind; null when someone else's. */
export function ourEntryKind(entry: unknown): EntryKind | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const value = entry as Record<string, unknown>;
  const args = Array.isArray(value['args']) ? value['args'] : [];
  const bridge = args.indexOf('bridge');
  if (typeof value['command'] === 'string' && bridge !== -1 && args[bridge + 1] === '--client') return 'stdio';
  if (value['bearer_token_env_var'] === TOKEN_ENV) return 'url';
  const auth = (value['headers'] as Record<string, unknown> | undefined)?.['Authorization'];
  if (typeof auth === 'string' && (auth.includes(TOKEN_ENV) || auth.includes(`input:${VSCODE_INPUT_ID}`))) return 'url';
  return null;
}

/** The entry connect would write now for this client, of the given kind. */
export function expectedEntry(id: ClientId, spec: EntrySpec): Record<string, unknown> {
  return CLIENTS[id].entry(spec, id);
}

/** What differs between the entry as written and as connect would write it, in words; null when equal. */
export function entryDrift(written: unknown, expected: Record<string, unknown>): string | null {
  if (isDeepStrictEqual(plain(written), plain(expected))) return null;
  const actual = (written ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  const changed = [...keys].filter((k) => !isDeepStrictEqual(plain(actual[k]), plain(expected[k])));
  return `the entry's ${changed.join(', ')} ${changed.length === 1 ? 'differs' : 'differ'} from what connect writes`;
}

/** Parsed TOML tables have a null prototype; compare as plain data. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
