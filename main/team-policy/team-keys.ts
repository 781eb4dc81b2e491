// The team's Ed25519 keys: made by `policy keygen`, the private one kept in a PKCS8 PEM file (mode 0600) and the
// public one passed around as the 43 base64url characters of its raw bytes (a JWK's `x`). A document's header may
// name the key by `kid`, its RFC 7638 thumbprint; nothing else in a header can choose a key.
import { readFile } from 'node:fs/promises';
import {
  CompactSign,
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type CryptoKey,
} from 'jose';

export interface TeamKeyPair {
  /** PKCS8 PEM of the private key. */
  readonly privatePem: string;
  /** base64url of the raw public key: what `policy enroll --key` takes. */
  readonly publicKey: string;
}

export async function generateTeamKeys(): Promise<TeamKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privatePem: await exportPKCS8(privateKey), publicKey: jwk.x! };
}

export function publicJwk(publicKey: string): { kty: 'OKP'; crv: 'Ed25519'; x: string } {
  return { kty: 'OKP', crv: 'Ed25519', x: publicKey };
}

export function importPublicKey(publicKey: string): Promise<CryptoKey> {
  return importJWK(publicJwk(publicKey), 'EdDSA') as Promise<CryptoKey>;
}

/** The `kid` a document signed with this key may carry. */
export function keyId(publicKey: string): Promise<string> {
  return calculateJwkThumbprint(publicJwk(publicKey));
}

export type LoadedPrivateKey =
  | { readonly ok: true; readonly key: CryptoKey; readonly publicKey: string }
  | { readonly ok: false; readonly error: string };

/** Reads a private key file written by `policy keygen` (PKCS8 PEM, Ed25519). */
export async function readPrivateKey(path: string): Promise<LoadedPrivateKey> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, error: `${path} cannot be read: ${(error as Error).message}` };
  }
  try {
    const key = await importPKCS8(pem.trim(), 'EdDSA', { extractable: true });
    const jwk = await exportJWK(key);
    if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
    return { ok: true, key, publicKey: jwk.x };
  } catch (error) {
    return {
      ok: false,
      error: `${path} is not an Ed25519 private key in PKCS8 PEM (as policy keygen writes): ${(error as Error).message}`,
    };
  }
}

/** The compact JWS of `payload`, `alg: EdDSA`, with the key's thumbprint as `kid`. */
export async function signDocument(payload: string, key: CryptoKey, publicKey: string): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: 'EdDSA', kid: await keyId(publicKey), typ: 'switchboard-policy+jws' })
    .sign(key);
}
