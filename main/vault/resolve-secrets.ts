// Filling a server's `${secret:NAME}` references from the vault at the moment it starts. A server whose secret
// is missing, expired or unreachable does not start: it is blocked with a message naming the secret and the fix,
// and nothing half-filled ever reaches a process or a connection.
import type { ServerConfig } from '../config/schema.ts';
import { fillServerConfig, secretsUsedBy } from './secret-refs.ts';
import type { SecretVault } from './vault.ts';

/** Why a server cannot start for want of a credential; `login-required` is a remote server waiting for OAuth. */
export type BlockedReason = 'keychain' | 'secret-missing' | 'secret-expired' | 'login-required' | 'approval-required';

export type ResolvedServer =
  | { readonly ok: true; readonly config: ServerConfig; readonly secrets: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly reason: BlockedReason; readonly message: string };

export interface ResolveOptions {
  readonly vault: SecretVault;
  /** Expiry dates of secrets that have one (ISO 8601), from the config's secret metadata. */
  readonly expiresAt: (name: string) => string | undefined;
  readonly now: () => number;
}

export async function resolveServerSecrets(config: ServerConfig, options: ResolveOptions): Promise<ResolvedServer> {
  const names = secretsUsedBy(config);
  if (names.length === 0) return { ok: true, config, secrets: new Map() };
  const values = new Map<string, string>();
  for (const name of names) {
    const expires = options.expiresAt(name);
    if (expires !== undefined && Date.parse(expires) <= options.now()) {
      return {
        ok: false,
        reason: 'secret-expired',
        message: `secret "${name}" expired on ${expires}; set a new value with \`switchboard secret set ${name}\``,
      };
    }
    const found = await options.vault.get(name);
    if (!found.ok) {
      return { ok: false, reason: 'keychain', message: `secret "${name}" could not be read: ${found.error.message}` };
    }
    if (found.value === null) {
      return {
        ok: false,
        reason: 'secret-missing',
        message: `secret "${name}" is not in ${options.vault.label}; set it with \`switchboard secret set ${name}\``,
      };
    }
    values.set(name, found.value);
  }
  return { ok: true, config: fillServerConfig(config, values), secrets: values };
}
