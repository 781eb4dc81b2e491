// The one place where secrets are compared: fixed-length HMAC digests through crypto.timingSafeEqual, so the
// time a comparison takes says nothing about how much of a guess was right (security test T3).
import { createHmac, timingSafeEqual } from 'node:crypto';

export function digestToken(secret: string, salt: Buffer): Buffer {
  return createHmac('sha256', salt).update(secret, 'utf8').digest();
}

export function digestsEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
