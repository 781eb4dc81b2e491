// The opt-in encrypted file vault, for machines without a keychain (a Linux server with no Secret Service).
// One file, `vault.enc` in the data directory: the secrets as one JSON object, sealed with AES-256-GCM under a key
// derived from a passphrase by scrypt. The header (format, KDF parameters, salt) is authenticated too, so a file
// whose parameters were edited does not open. Every write is atomic and re-encrypts with a fresh IV.
import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  scrypt as scryptCallback,
  type ScryptOptions,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { describeFsError, errorCode } from '../paths/fs-error.ts';
import { failed, ok, type SecretVault, type VaultResult } from './vault.ts';

/** The variable the passphrase is read from when no prompt is possible (serve, CI). */
export const PASSPHRASE_ENV = 'SWITCHBOARD_VAULT_PASSPHRASE';

/** OWASP's scrypt recommendation (N=2^17, r=8, p=1): about 128 MiB and a few hundred ms per derivation. */
const DEFAULT_KDF = { N: 2 ** 17, r: 8, p: 1 } as const;

const headerSchema = z
  .object({
    format: z.literal('switchboard-vault'),
    version: z.literal(1),
    kdf: z
      .object({
        name: z.literal('scrypt'),
        N: z
          .number()
          .int()
          .min(2 ** 14)
          .max(2 ** 22),
        r: z.number().int().min(1).max(32),
        p: z.number().int().min(1).max(16),
        salt: z.base64(),
      })
      .strict(),
    cipher: z.literal('aes-256-gcm'),
  })
  .strict();

const fileSchema = z.object({ header: headerSchema, iv: z.base64(), tag: z.base64(), data: z.base64() }).strict();

type Header = z.infer<typeof headerSchema>;

const contentsSchema = z.record(z.string(), z.string());

function scrypt(passphrase: string, salt: Buffer, kdf: Header['kdf']): Promise<Buffer> {
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scryptCallback(passphrase, salt, 32, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export interface FileVaultOptions {
  readonly path: string;
  /** Called when the passphrase is first needed; null when there is none to be had. */
  readonly passphrase: () => Promise<string | null>;
  /** scrypt cost, lowered only by tests. */
  readonly kdf?: { readonly N: number; readonly r: number; readonly p: number };
}

export class FileVault implements SecretVault {
  readonly label: string;
  readonly #options: FileVaultOptions;
  /** The derived key per salt, so one passphrase costs one derivation per process. */
  #key: { salt: string; key: Buffer } | null = null;
  #passphrase: string | null = null;
  /** Writes are queued so two sets in one process never read the same old file. */
  #writes: Promise<unknown> = Promise.resolve();

  constructor(options: FileVaultOptions) {
    this.#options = options;
    this.label = `the encrypted file vault at ${options.path}`;
  }

  async get(name: string): Promise<VaultResult<string | null>> {
    const opened = await this.#open();
    if (!opened.ok) return opened;
    return ok(opened.value.secrets[name] ?? null);
  }

  set(name: string, value: string): Promise<VaultResult<void>> {
    return this.#edit((secrets) => {
      secrets[name] = value;
      return undefined;
    });
  }

  delete(name: string): Promise<VaultResult<boolean>> {
    return this.#edit((secrets) => {
      const had = Object.hasOwn(secrets, name);
      delete secrets[name];
      return had;
    });
  }

  #edit<T>(change: (secrets: Record<string, string>) => T): Promise<VaultResult<T>> {
    const run = this.#writes.then(async (): Promise<VaultResult<T>> => {
      const opened = await this.#open();
      if (!opened.ok) return opened;
      const secrets = { ...opened.value.secrets };
      const result = change(secrets);
      const written = await this.#seal(opened.value.header, secrets);
      return written.ok ? ok(result) : written;
    });
    this.#writes = run.catch(() => {});
    return run;
  }

  async #passphraseOrFailure(): Promise<VaultResult<string>> {
    if (this.#passphrase === null) this.#passphrase = await this.#options.passphrase();
    if (this.#passphrase === null || this.#passphrase === '') {
      return failed(
        'unavailable',
        `${this.label} needs a passphrase: set ${PASSPHRASE_ENV}, or run the command in a terminal to be asked for it.`,
      );
    }
    return ok(this.#passphrase);
  }

  async #keyFor(header: Header): Promise<VaultResult<Buffer>> {
    if (this.#key?.salt === header.kdf.salt) return ok(this.#key.key);
    const passphrase = await this.#passphraseOrFailure();
    if (!passphrase.ok) return passphrase;
    const key = await scrypt(passphrase.value, Buffer.from(header.kdf.salt, 'base64'), header.kdf);
    this.#key = { salt: header.kdf.salt, key };
    return ok(key);
  }

  /** The file's header and secrets; a missing file is an empty vault with a new salt. */
  async #open(): Promise<VaultResult<{ header: Header; secrets: Record<string, string> }>> {
    let text: string;
    try {
      text = await readFile(this.#options.path, 'utf8');
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') {
        return failed('failed', `${this.label} could not be read: ${describeFsError(error)}`);
      }
      const kdf = this.#options.kdf ?? DEFAULT_KDF;
      const header: Header = {
        format: 'switchboard-vault',
        version: 1,
        kdf: { name: 'scrypt', ...kdf, salt: randomBytes(16).toString('base64') },
        cipher: 'aes-256-gcm',
      };
      return ok({ header, secrets: {} });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return failed('failed', `${this.label} is damaged: it is not JSON. Restore it from a backup or remove it.`);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0]!;
      return failed(
        'failed',
        `${this.label} is damaged or from a newer version: ${first.path.join('.') || '(top level)'} ${first.message}.`,
      );
    }
    const file = parsed.data;
    const key = await this.#keyFor(file.header);
    if (!key.ok) return key;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.value, Buffer.from(file.iv, 'base64'));
      decipher.setAAD(Buffer.from(JSON.stringify(file.header)));
      decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(file.data, 'base64')), decipher.final()]);
      const secrets = contentsSchema.parse(JSON.parse(plain.toString('utf8')));
      return ok({ header: file.header, secrets });
    } catch {
      // A wrong passphrase and an edited file look the same to GCM; the key is dropped so a retry can ask again.
      this.#key = null;
      this.#passphrase = null;
      return failed(
        'locked',
        `${this.label} did not open: the passphrase is wrong, or the file was changed outside Switchboard.`,
      );
    }
  }

  async #seal(header: Header, secrets: Record<string, string>): Promise<VaultResult<void>> {
    const key = await this.#keyFor(header);
    if (!key.ok) return key;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.value, iv);
    cipher.setAAD(Buffer.from(JSON.stringify(header)));
    const data = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
    const file = {
      header,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    try {
      await writeFileAtomic(this.#options.path, JSON.stringify(file, null, 2) + '\n', 0o600);
      return ok(undefined);
    } catch (error) {
      return failed('failed', `${this.label} could not be written: ${describeFsError(error)}`);
    }
  }
}
