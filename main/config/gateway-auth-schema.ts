// `gateway.auth` and `gateway.publicHosts` in config.json: how a shared gateway (one core serving many people behind
// an ingress) learns who is calling, beyond the local client tokens that always work, and which host names it
// answers to. Kept apart from schema.ts because only a shared deployment sets them (docs/shared-gateway.md).
import { z } from 'zod';
import { uploadUrlProblem } from '../audit/upload-target.ts';
import { describeValue } from './issue-messages.ts';

/**
 * Signature algorithms a JWT may use. Asymmetric only: with an HMAC algorithm anyone holding the verification key
 * (published in the JWKS) could sign, and "none" is no signature at all.
 */
export const JWT_ALGORITHMS = [
  'EdDSA',
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
] as const;

export const DEFAULT_JWT_ALGORITHMS = ['EdDSA', 'RS256', 'ES256'] as const;

/** A claim name: a JSON member name, kept short and printable. */
const claimName = z
  .string()
  .regex(
    /^[A-Za-z0-9_:./-]{1,128}$/,
    'must be a claim name of 1-128 characters (A-Z, a-z, 0-9, "_", ":", ".", "/", "-")',
  );

/** https://, or http:// to this machine only (tests, a sidecar); no credentials or fragment in the URL. */
function serviceUrl(what: string) {
  return z.string().superRefine((text, ctx) => {
    const problem = serviceUrlProblem(text, what);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
}

export function serviceUrlProblem(text: string, what: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `must be an absolute https:// URL of the ${what}`;
  }
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  // The rest is what an audit upload URL must be: https, or http to this machine only.
  return uploadUrlProblem(text);
}

export const jwtAuthSchema = z
  .object({
    /** The `iss` every token must carry, exactly. */
    issuer: z.string().min(1),
    /** The `aud` a token must name (one of these). */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Where the issuer publishes its signing keys (JSON Web Key Set). */
    jwksUrl: serviceUrl('JSON Web Key Set'),
    /** The claim naming whom the call is for; it goes on every audit record of the session. */
    memberClaim: claimName.default('sub'),
    /** The claim naming the calling client; `client_id`, then `azp`, when not set. */
    clientClaim: claimName.optional(),
    algorithms: z
      .array(
        z.enum(JWT_ALGORITHMS, {
          error: (issue) =>
            `must be an asymmetric signature algorithm (${JWT_ALGORITHMS.join(', ')}), not ${describeValue(issue.input)}: "none" and HS256/HS384/HS512 are refused, since an HMAC key is the same for signing and verifying`,
        }),
      )
      .min(1)
      .default([...DEFAULT_JWT_ALGORITHMS]),
  })
  .strict();

export const teamServerAuthSchema = z
  .object({
    /** The team server's base URL; a bearer is checked with `GET <url>/members/me`. */
    url: serviceUrl('team server'),
    /** The client name audit records and policy give callers admitted this way (the team server names no client). */
    client: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, ".", "_" and "-"')
      .default('team'),
  })
  .strict();

export const gatewayAuthSchema = z
  .object({
    jwt: jwtAuthSchema.optional(),
    teamServer: teamServerAuthSchema.optional(),
  })
  .strict();

/** A host name a client may put in `Host` (as the ingress forwards it), with or without a port. */
export const publicHostSchema = z
  .string()
  .transform((text) => text.toLowerCase())
  .pipe(
    z
      .string()
      .regex(
        /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/,
        'must be a host name as clients reach the gateway (mcp.example.com, or mcp.example.com:8443), without scheme or path',
      ),
  );

export type GatewayAuthConfig = z.infer<typeof gatewayAuthSchema>;
export type JwtAuthConfig = z.infer<typeof jwtAuthSchema>;
export type TeamServerAuthConfig = z.infer<typeof teamServerAuthSchema>;
