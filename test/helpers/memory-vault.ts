// A vault in memory, for code whose subject is what is done with stored values rather than where they live (the
// keychain and file vaults have tests of their own against real stores).
import { ok, type SecretVault, type VaultResult } from '../../main/vault/vault.ts';

export class MemoryVault implements SecretVault {
  readonly label = 'the in-memory test vault';
  readonly values = new Map<string, string>();

  async get(name: string): Promise<VaultResult<string | null>> {
    return ok(this.values.get(name) ?? null);
  }

  async set(name: string, value: string): Promise<VaultResult<void>> {
    this.values.set(name, value);
    return ok(undefined);
  }

  async delete(name: string): Promise<VaultResult<boolean>> {
    return ok(this.values.delete(name));
  }
}
