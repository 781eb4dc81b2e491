// Where secret values live: the OS keychain, or (opt-in) an encrypted file. Both answer with values or with a
// failure a person can act on; neither ever writes a value anywhere in plain text.

export type VaultFailureKind =
  /** Nothing to talk to: no keychain service, no session bus, no passphrase for the file vault. */
  | 'unavailable'
  /** The store is there but locked, or the passphrase does not open it. */
  | 'locked'
  /** The store answered with an error, or its file is damaged. */
  | 'failed';

export interface VaultFailure {
  readonly kind: VaultFailureKind;
  /** One paragraph naming what is missing and how to fix it. */
  readonly message: string;
}

export type VaultResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: VaultFailure };

export interface SecretVault {
  /** Which store this is, for messages: "the OS keychain (Secret Service)". */
  readonly label: string;
  get(name: string): Promise<VaultResult<string | null>>;
  set(name: string, value: string): Promise<VaultResult<void>>;
  /** Resolves true when a value was removed, false when there was none. */
  delete(name: string): Promise<VaultResult<boolean>>;
}

export function ok<T>(value: T): VaultResult<T> {
  return { ok: true, value };
}

export function failed<T>(kind: VaultFailureKind, message: string): VaultResult<T> {
  return { ok: false, error: { kind, message } };
}
