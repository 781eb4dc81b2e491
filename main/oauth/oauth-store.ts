// Where a remote server's OAuth client registration and tokens live: in the vault, like every other secret, as
// JSON under `oauth.<server>.client` and `oauth.<server>.tokens`. The SDK stamps each record with the issuer that
// made it and will not present it to another authorization server (T71); we store the records as the SDK gives them.
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { SecretVault } from '../vault/vault.ts';

export interface StoredTokens {
  readonly tokens: OAuthTokens;
  /** When the tokens were received (ms since the epoch), so expiry can be told from `expires_in`. */
  readonly obtainedAt: number;
}

export interface OAuthRecords {
  client: OAuthClientInformationMixed | undefined;
  tokens: StoredTokens | undefined;
}

export function recordNames(server: string): { client: string; tokens: string } {
  return { client: `oauth.${server}.client`, tokens: `oauth.${server}.tokens` };
}

function parse<T>(text: string | null): T | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    // A damaged record is treated as absent: the next login writes a good one.
    return undefined;
  }
}

export class OAuthStore {
  readonly #vault: SecretVault;
  readonly #names: { client: string; tokens: string };

  constructor(vault: SecretVault, server: string) {
    this.#vault = vault;
    this.#names = recordNames(server);
  }

  async load(): Promise<OAuthRecords> {
    const [client, tokens] = await Promise.all([
      this.#vault.get(this.#names.client),
      this.#vault.get(this.#names.tokens),
    ]);
    if (!client.ok) throw new Error(client.error.message);
    if (!tokens.ok) throw new Error(tokens.error.message);
    return { client: parse(client.value), tokens: parse(tokens.value) };
  }

  async saveClient(client: OAuthClientInformationMixed | undefined): Promise<void> {
    await this.#write(this.#names.client, client);
  }

  async saveTokens(tokens: StoredTokens | undefined): Promise<void> {
    await this.#write(this.#names.tokens, tokens);
  }

  async #write(name: string, value: unknown): Promise<void> {
    const result =
      value === undefined ? await this.#vault.delete(name) : await this.#vault.set(name, JSON.stringify(value));
    if (!result.ok) throw new Error(result.error.message);
  }
}
