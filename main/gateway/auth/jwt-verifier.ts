// Bearer JWTs of an identity provider, for a shared gateway (`gateway.auth.jwt`): the signature is checked against
// the issuer's published key set (fetched through bounded-fetch.ts and cached by jose), then the issuer, audience,
// expiry and not-before with a small clock tolerance, and only the configured asymmetric algorithms (never "none"
// or an HMAC, whose key the key set would hand to anyone). The member and the client come from configured claims.
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from 'jose';
import { networkReason } from '../../audit/upload-fetch.ts';
import type { JwtAuthConfig } from '../../config/gateway-auth-schema.ts';
import type { FetchLike } from '../../net/guarded-fetch.ts';
import { boundedFetch } from './bounded-fetch.ts';

/** Seconds of clock difference tolerated on `exp` and `nbf`. */
export const CLOCK_TOLERANCE_S = 30;
const JWKS_TIMEOUT_MS = 5_000;

export type JwtVerdict =
  | { readonly ok: true; readonly member: string; readonly client: string }
  /** The token is not acceptable: 401, with the reason audited. */
  | { readonly ok: false; readonly kind: 'refused'; readonly reason: string }
  /** The key set could not be had: 503, since the caller may well be right. */
  | { readonly ok: false; readonly kind: 'unavailable'; readonly reason: string };

/** A JWT in compact form: three base64url parts. Anything else is never sent to the verifier. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/** A member or client name from a claim: a non-empty string of printable characters, at most 256. */
function claimText(payload: JWTPayload, claim: string): string | null {
  const value = payload[claim];
  return typeof value === 'string' && /^[^\p{Cc}]{1,256}$/u.test(value) ? value : null;
}

export class JwtVerifier {
  readonly #config: JwtAuthConfig;
  readonly #keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(config: JwtAuthConfig, options: { readonly fetch?: FetchLike } = {}) {
    this.#config = config;
    const fetch = options.fetch ?? boundedFetch();
    this.#keys = createRemoteJWKSet(new URL(config.jwksUrl), {
      timeoutDuration: JWKS_TIMEOUT_MS,
      [customFetch]: (url, init) => fetch(url, init),
    });
  }

  async verify(token: string): Promise<JwtVerdict> {
    const config = this.#config;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: [...config.algorithms],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (error) {
      return judge(error, config.jwksUrl);
    }
    const member = claimText(payload, config.memberClaim);
    if (member === null) {
      return { ok: false, kind: 'refused', reason: `jwt-no-member: the token has no "${config.memberClaim}" claim` };
    }
    const clientClaims = config.clientClaim === undefined ? ['client_id', 'azp'] : [config.clientClaim];
    const client = clientClaims.map((claim) => claimText(payload, claim)).find((value) => value !== null) ?? null;
    if (client === null) {
      return {
        ok: false,
        kind: 'refused',
        reason: `jwt-no-client: the token names no client (claim ${clientClaims.map((c) => `"${c}"`).join(' or ')})`,
      };
    }
    return { ok: true, member, client };
  }
}

/** What a failed verification means: the caller's token is wrong (401), or the key set is out of reach (503). */
function judge(error: unknown, jwksUrl: string): JwtVerdict {
  const refused = (reason: string): JwtVerdict => ({ ok: false, kind: 'refused', reason });
  if (error instanceof errors.JWTExpired) return refused('jwt-expired: the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return refused(`jwt-claim: the "${error.claim}" claim is not accepted (${error.reason})`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return refused('jwt-algorithm: the signature algorithm is not allowed');
  if (error instanceof errors.JWKSNoMatchingKey) return refused('jwt-key: no key of the issuer matches the token');
  if (error instanceof errors.JWSSignatureVerificationFailed) return refused('jwt-signature: the signature is wrong');
  if (error instanceof errors.JWKSTimeout) {
    return { ok: false, kind: 'unavailable', reason: `the key set at ${jwksUrl} did not answer in time` };
  }
  // A generic JOSE error is the key set's answer (not 200, not JSON); anything not JOSE's is the network's.
  const generic = error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC';
  if (error instanceof errors.JWKSInvalid || generic || !(error instanceof errors.JOSEError)) {
    const message = networkReason(error);
    return { ok: false, kind: 'unavailable', reason: `the key set at ${jwksUrl} could not be read: ${message}` };
  }
  return refused(`jwt-invalid: ${error.message}`);
}
