// A secret's standing as a coloured word: fine, expiring soon, expired, missing from the vault.
import type { SecretView } from '../../../../preload/contract.ts';

export function ExpiryBadge({ expiry }: { expiry: SecretView['expiry'] }) {
  switch (expiry.state) {
    case 'valid':
      return <span className="badge badge-ok">valid until {expiry.expires.slice(0, 10)}</span>;
    case 'no-expiry':
      return <span className="badge">no expiry</span>;
    case 'expiring':
      return expiry.days <= 1 ? (
        <span className="badge badge-error">expires within a day</span>
      ) : (
        <span className="badge badge-warn">expires within {expiry.days} days</span>
      );
    case 'expired':
      return <span className="badge badge-error">expired</span>;
    case 'missing':
      return <span className="badge badge-error">missing from the vault</span>;
  }
}
