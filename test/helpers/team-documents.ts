// Team policy documents for tests: a team key pair, documents signed with it (or with any header or key a test
// needs to be refused), made with jose as a team's publisher would.
import { CompactSign, type CryptoKey } from 'jose';
import { generateTeamKeys, keyId, readPrivateKey } from '../../main/team-policy/team-keys.ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';

export interface TeamKey {
  readonly publicKey: string;
  readonly privateKey: CryptoKey;
  readonly kid: string;
}

export async function makeTeamKey(): Promise<TeamKey> {
  const pair = await generateTeamKeys();
  const file = join(tmpdir(), `team-key-${randomBytes(6).toString('hex')}.pem`);
  await writeFile(file, pair.privatePem, { mode: 0o600 });
  const loaded = await readPrivateKey(file);
  if (!loaded.ok) throw new Error(loaded.error);
  return { publicKey: pair.publicKey, privateKey: loaded.key, kid: await keyId(pair.publicKey) };
}

/** A valid document payload for `team` at `version`, expiring in a day unless said otherwise. */
export function teamDocument(
  team: string,
  version: number,
  more: Record<string, unknown> = {},
): Record<string, unknown> {
  return { team, version, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), ...more };
}

export async function signWith(key: TeamKey, payload: unknown, header: Record<string, unknown> = {}): Promise<string> {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return new CompactSign(new TextEncoder().encode(text))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, ...header })
    .sign(key.privateKey);
}

const b64 = (text: string): string => Buffer.from(text).toString('base64url');

/** `alg: none`: a header and payload with an empty signature. */
export function unsigned(payload: unknown): string {
  return `${b64(JSON.stringify({ alg: 'none' }))}.${b64(JSON.stringify(payload))}.`;
}
