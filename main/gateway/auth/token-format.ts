// What a client token looks like on the wire: `sbt_<id>_<secret>`. The id lets the gateway find the one record to
// check without trying every stored digest; the secret is 256 bits from the CSPRNG and is never stored.
import { randomBytes } from 'node:crypto';

export type TokenKind = 'client' | 'control';

const PREFIX: Record<TokenKind, string> = { client: 'sbt', control: 'sbc' };
const TOKEN_PATTERN = /^(sbt|sbc)_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ParsedToken {
  readonly kind: TokenKind;
  readonly id: string;
  readonly secret: string;
}

export function mintToken(kind: TokenKind): { readonly token: string; readonly id: string; readonly secret: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `${PREFIX[kind]}_${id}_${secret}`, id, secret };
}

export function parseToken(raw: string): ParsedToken | null {
  const match = TOKEN_PATTERN.exec(raw);
  if (!match) return null;
  const [, prefix, id, secret] = match;
  return { kind: prefix === 'sbt' ? 'client' : 'control', id: id!, secret: secret! };
}

/**
 * The id a caller admitted by a JWT or a team server is known by where a client token's id would be (sessions,
 * modern request bindings): derived from who they are, never a token. Such a caller's bearer is checked by its
 * issuer on every request, so the token store counts these ids as active.
 */
export const EXTERNAL_ID_PREFIX = 'ext:';
