// Verifying a team policy document: a compact JWS whose header may only say `alg: EdDSA` (and a `kid` that is the
// enrolled key's thumbprint, and a `typ`), checked with the enrolled public key alone, whose payload is a team
// document (document-schema.ts) for the enrolled team. A header that names its own key (`jwk`, `jku`, `x5u`, …)
// or any other parameter is refused before the signature is looked at: the key is the enrollment's, never the
// document's (T86, T88).
import { createHash } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { parseTeamDocument, type TeamDocument } from './document-schema.ts';
import { importPublicKey, keyId } from './team-keys.ts';

/** Why a document was not applied; each reason is named in the alert and the audit record. */
export type RejectReason =
  'malformed' | 'header' | 'signature' | 'schema' | 'team' | 'rollback' | 'same-version' | 'endpoint' | 'cache';

export type Verified =
  | { readonly ok: true; readonly document: TeamDocument; readonly digest: string }
  | { readonly ok: false; readonly reason: RejectReason; readonly message: string };

const ALLOWED_HEADER = new Set(['alg', 'kid', 'typ']);
const KEY_HEADERS = new Set(['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256']);

export interface VerifyKey {
  readonly publicKey: string;
  readonly team: string;
}

export async function verifyDocument(jws: string, key: VerifyKey): Promise<Verified> {
  const text = jws.trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(text)) {
    return reject('malformed', 'the document is not a compact JWS (three base64url parts joined by dots)');
  }
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(text) as Record<string, unknown>;
  } catch (error) {
    return reject('malformed', `the JWS header cannot be read: ${(error as Error).message}`);
  }
  const headerProblem = await checkHeader(header, key.publicKey);
  if (headerProblem !== null) return reject('header', headerProblem);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(text, await importPublicKey(key.publicKey), { algorithms: ['EdDSA'] }));
  } catch (error) {
    return reject('signature', `the signature does not verify with the enrolled key (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (error) {
    return reject('malformed', `the signed payload is not JSON: ${(error as Error).message}`);
  }
  const parsed = parseTeamDocument(json);
  if (!parsed.ok) return reject('schema', `the document does not match the team policy schema: ${parsed.error}`);
  if (parsed.document.team !== key.team) {
    return reject(
      'team',
      `the document is for team "${parsed.document.team}", and this machine is enrolled in "${key.team}"`,
    );
  }
  return { ok: true, document: parsed.document, digest: createHash('sha256').update(payload).digest('hex') };
}

async function checkHeader(header: Record<string, unknown>, publicKey: string): Promise<string | null> {
  for (const name of Object.keys(header)) {
    if (KEY_HEADERS.has(name)) {
      return `the JWS header names its own key ("${name}"); only the enrolled key is used, so the document is refused`;
    }
    if (!ALLOWED_HEADER.has(name))
      return `the JWS header carries "${name}", which is not accepted (only alg, kid, typ)`;
  }
  if (header.alg !== 'EdDSA') return `the JWS alg is ${JSON.stringify(header.alg)}; only "EdDSA" is accepted`;
  if (header.kid !== undefined && header.kid !== (await keyId(publicKey))) {
    return `the JWS kid ${JSON.stringify(header.kid)} is not the enrolled key's`;
  }
  return null;
}

function reject(reason: RejectReason, message: string): Verified {
  return { ok: false, reason, message };
}
