// A secret's metadata in config.json (created, rotated, expires, last used): written after its value is in the
// vault, by the CLI and the dashboard alike, so both record a rotation the same way.
import type { Config, ConfigInput, VaultBackend } from '../config/schema.ts';
import { updateConfig } from '../config/update-config.ts';
import type { ParsedConfig } from '../config/validate-config.ts';
import { secretsUsedBy } from './secret-refs.ts';

/** Server names whose env, args, headers or url refer to secret `name`. */
export function usersOf(config: Config, name: string): string[] {
  return Object.entries(config.servers)
    .filter(([, server]) => secretsUsedBy(server).includes(name))
    .map(([server]) => server);
}

/** Records that `name` has a new value: created on first set, rotated after; `file` when it went to the file vault. */
export function recordSecretSet(
  dataDir: string,
  name: string,
  options: { readonly backend: VaultBackend; readonly expires?: Date },
): Promise<ParsedConfig> {
  const now = new Date().toISOString();
  return updateConfig(dataDir, (draft: ConfigInput) => {
    const before = draft.secrets?.[name];
    const meta = {
      created: before?.created ?? now,
      ...(before === undefined ? {} : { rotated: now }),
      // A new value comes with its own lifetime: an old expiry is not carried over to it.
      ...(options.expires === undefined ? {} : { expires: options.expires.toISOString() }),
      ...(before?.lastUsed === undefined ? {} : { lastUsed: before.lastUsed }),
    };
    return {
      ...draft,
      ...(options.backend === 'file' ? { vault: 'file' as const } : {}),
      secrets: { ...draft.secrets, [name]: meta },
    };
  });
}

/** Drops the metadata of a removed secret. */
export function recordSecretRemoved(dataDir: string, name: string): Promise<ParsedConfig> {
  return updateConfig(dataDir, (draft: ConfigInput) => {
    const secrets = { ...draft.secrets };
    delete secrets[name];
    return { ...draft, secrets };
  });
}
