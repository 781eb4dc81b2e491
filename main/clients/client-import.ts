// `import`: shows what a client runs, then (on confirmation) adds those servers to config.json with their literal
// secrets moved to the vault, and optionally replaces the client's entries by the single `switchboard` entry.
import { loadConfig } from '../config/load-config.ts';
import type { ConfigInput } from '../config/schema.ts';
import { updateConfig } from '../config/update-config.ts';
import { dataDirPaths } from '../paths/data-dir.ts';
import type { SecretVault } from '../vault/vault.ts';
import type { ClientConnections, ConnectResult, Target } from './client-connections.ts';
import type { ClientId } from './client-registry.ts';
import { planImport, type ImportPlan } from './import-servers.ts';

export interface ImportOutcome {
  readonly added: readonly string[];
  readonly secrets: readonly string[];
  /** Present when the client's entries were replaced by ours. */
  readonly replaced?: ConnectResult;
}

export class ClientImport {
  readonly #connections: ClientConnections;
  readonly #vault: SecretVault;
  readonly #dataDir: string;

  constructor(deps: { connections: ClientConnections; vault: SecretVault; dataDir: string }) {
    this.#connections = deps.connections;
    this.#vault = deps.vault;
    this.#dataDir = deps.dataDir;
  }

  /** What import would add; changes nothing. */
  async preview(id: ClientId, target: Target = {}): Promise<ImportPlan> {
    const loaded = await loadConfig(dataDirPaths(this.#dataDir).config);
    if (!loaded.ok) throw new Error(`config.json has problems; fix them first: ${loaded.problems[0]?.message ?? ''}`);
    return planImport(id, await this.#connections.servers(id, target), new Set(Object.keys(loaded.config.servers)));
  }

  /** Stores the secrets, adds the servers, and with `replace` swaps the client's imported entries for ours. */
  async apply(id: ClientId, plan: ImportPlan, options: Target & { replace?: boolean } = {}): Promise<ImportOutcome> {
    const secrets = plan.servers.flatMap((s) => Object.entries(s.secrets));
    for (const [name, value] of secrets) {
      const stored = await this.#vault.set(name, value);
      if (!stored.ok) throw new Error(`cannot store secret "${name}" in ${this.#vault.label}: ${stored.error.message}`);
    }
    const now = new Date().toISOString();
    const result = await updateConfig(this.#dataDir, (draft: ConfigInput) => {
      const servers = { ...draft.servers };
      for (const server of plan.servers) {
        if (servers[server.name] !== undefined)
          return new Error(`config.json already has a server named "${server.name}"`);
        servers[server.name] = server.server;
      }
      const meta = { ...draft.secrets };
      for (const [name] of secrets) meta[name] = { ...meta[name], created: meta[name]?.created ?? now };
      return { ...draft, servers, secrets: meta };
    });
    if (!result.ok) {
      const problems = result.problems.map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`).join('; ');
      throw new Error(`the servers could not be added to config.json: ${problems}`);
    }
    const outcome = { added: plan.servers.map((s) => s.name), secrets: secrets.map(([name]) => name) };
    if (options.replace !== true) return outcome;
    const replaced = await this.#connections.connect(id, { ...options, replacing: plan.servers.map((s) => s.source) });
    return { ...outcome, replaced };
  }
}
