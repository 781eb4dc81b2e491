// Where a secret stands against its expiry date. Warnings start 7 days and again 1 day before; after the date the
// secret is expired and servers using it are blocked with that reason.
import type { SecretMeta } from '../config/schema.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export type ExpiryStanding =
  | { readonly state: 'no-expiry' }
  | { readonly state: 'valid'; readonly expires: string }
  /** Within 7 days (`days` 7) or within 1 day (`days` 1) of the expiry. */
  | { readonly state: 'expiring'; readonly expires: string; readonly days: 7 | 1 }
  | { readonly state: 'expired'; readonly expires: string };

export function expiryStanding(meta: Pick<SecretMeta, 'expires'>, now: number): ExpiryStanding {
  if (meta.expires === undefined) return { state: 'no-expiry' };
  const left = Date.parse(meta.expires) - now;
  if (left <= 0) return { state: 'expired', expires: meta.expires };
  if (left <= DAY_MS) return { state: 'expiring', expires: meta.expires, days: 1 };
  if (left <= 7 * DAY_MS) return { state: 'expiring', expires: meta.expires, days: 7 };
  return { state: 'valid', expires: meta.expires };
}

export function describeStanding(standing: ExpiryStanding): string {
  switch (standing.state) {
    case 'no-expiry':
      return 'no expiry';
    case 'valid':
      return `expires ${standing.expires}`;
    case 'expiring':
      return `expires within ${standing.days === 1 ? '1 day' : '7 days'} (${standing.expires})`;
    case 'expired':
      return `EXPIRED on ${standing.expires}`;
  }
}
