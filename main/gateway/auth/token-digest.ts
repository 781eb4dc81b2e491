// The one place where secrets are compared: fixed-length HMAC digests through crypto.timingSafeEqual, so the
// time a comparison takes says nothing about how much of a guess was right (security test T3).
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** A salt as a key object: made once per stored token, since building an HMAC from a raw buffer costs ~5x more. */
export function saltKey(salt: Buffer): KeyObject {
  return createSecretKey(salt);
}

export function digestToken(secret: string, salt: Buffer | KeyObject): Buffer {
  return createHmac('sha256', salt).update(secret, 'utf8').digest();
}

export function digestsEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/**
 * Whether a presented secret is the one that last verified against a stored token, in constant time: a client
 * sends the same token with every request, and this spares each repeat the HMAC (its costliest step).
 */
export function sameSecret(presented: string, verified: Buffer): boolean {
  const bytes = Buffer.from(presented, 'utf8');
  return bytes.length === verified.length && timingSafeEqual(bytes, verified);
}
