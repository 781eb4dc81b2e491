// Which vault a command or the core uses: `--vault` when given, else the config's `vault` setting.
import { dataDirPaths } from '../paths/data-dir.ts';
import type { VaultBackend } from '../config/schema.ts';
import { FileVault, PASSPHRASE_ENV } from './file-vault.ts';
import { KeychainVault } from './keychain-vault.ts';
import type { SecretVault } from './vault.ts';

export interface OpenVaultOptions {
  readonly backend: VaultBackend;
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Asks a person for the file vault's passphrase; absent where nobody can answer (serve, the bridge). */
  readonly prompt?: (() => Promise<string | null>) | undefined;
}

export function openVault(options: OpenVaultOptions): SecretVault {
  if (options.backend === 'keychain') return new KeychainVault();
  return new FileVault({
    path: dataDirPaths(options.dataDir).vault,
    passphrase: async () => {
      const fromEnv = options.env[PASSPHRASE_ENV];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
      return options.prompt ? options.prompt() : null;
    },
  });
}

export function parseVaultBackend(text: string | undefined): VaultBackend | undefined | Error {
  if (text === undefined) return undefined;
  if (text === 'keychain' || text === 'file') return text;
  return new Error(`--vault takes "keychain" or "file", got "${text}"`);
}
