// The clients services for one data directory, built the same way for the CLI, the dashboard and the tray: the
// token store, the vault the config names, the bridge launcher of this install, and the gateway's URL.
import { homedir } from 'node:os';
import { loadConfig } from '../config/load-config.ts';
import { TokenStore } from '../gateway/auth/token-store.ts';
import { dataDirPaths } from '../paths/data-dir.ts';
import { openVault } from '../vault/open-vault.ts';
import type { SecretVault } from '../vault/vault.ts';
import { currentLauncher } from './bridge-launcher.ts';
import { ClientConnections } from './client-connections.ts';
import { ClientDoctor } from './client-doctor.ts';
import { ClientImport } from './client-import.ts';
import type { BridgeLauncher, ClientEnv } from './client-registry.ts';
import { gatewayUrl } from './gateway-url.ts';

export interface ClientServices {
  readonly connections: ClientConnections;
  readonly importer: ClientImport;
  readonly doctor: ClientDoctor;
}

export interface ClientServicesOptions {
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Defaults: the store in the data directory, the vault config.json names, this install's launcher. */
  readonly tokens?: TokenStore;
  readonly vault?: SecretVault;
  readonly launcher?: BridgeLauncher;
}

export async function openClientServices(options: ClientServicesOptions): Promise<ClientServices> {
  const { dataDir } = options;
  const env: ClientEnv = { env: options.env, platform: process.platform, homedir: homedir() };
  let vault = options.vault;
  if (vault === undefined) {
    const config = await loadConfig(dataDirPaths(dataDir).config);
    vault = openVault({ backend: config.ok ? config.config.vault : 'keychain', dataDir, env: options.env });
  }
  const connections = new ClientConnections({
    dataDir,
    env,
    tokens: options.tokens ?? new TokenStore(dataDirPaths(dataDir).tokens),
    vault,
    launcher: options.launcher ?? currentLauncher(),
    gatewayUrl: () => gatewayUrl(dataDir),
  });
  return {
    connections,
    importer: new ClientImport({ connections, vault, dataDir }),
    doctor: new ClientDoctor({ connections, vault, env }),
  };
}
