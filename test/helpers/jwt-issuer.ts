// An identity provider for tests of a shared gateway: real Ed25519 and P-256 keys, their key set served on
// 127.0.0.1, and JWTs signed with jose as a provider would sign them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export const ISSUER = 'https://id.example.test';
export const AUDIENCE = 'switchboard';

/** Where cleanups go: a test's context, or a file's own list run by its `after` hook. */
export interface Cleanups {
  after(fn: () => unknown): void;
}

/** A plain HTTP server on 127.0.0.1, closed when the test ends; counts the requests it answered. */
export async function serveLocal(
  t: Cleanups,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

export interface TestIssuer {
  readonly jwksUrl: string;
  readonly publicKey: CryptoKey;
  sign(
    claims: Record<string, unknown>,
    options?: { kid?: string; exp?: number; iss?: string; aud?: string },
  ): Promise<string>;
}

export async function startIssuer(t: Cleanups): Promise<TestIssuer> {
  const ed = await generateKeyPair('EdDSA', { extractable: true });
  const es = await generateKeyPair('ES256', { extractable: true });
  const keys: JWK[] = [
    { ...(await exportJWK(ed.publicKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' },
    { ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
  ];
  const jwks = await serveLocal(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  return {
    jwksUrl: `${jwks.url}/.well-known/jwks.json`,
    publicKey: ed.publicKey,
    sign: (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', kid: options.kid ?? 'ed-1' })
        .setIssuer(options.iss ?? ISSUER)
        .setAudience(options.aud ?? AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 300)
        .sign(ed.privateKey),
  };
}
