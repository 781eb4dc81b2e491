// A secret's standing as a coloured word: fine, expiring soon, expired, missing from the vault.
import type { SecretView } from '../../../../preload/contract.ts';

export function ExpiryBadge({ expiry }: { expiry: SecretView['expiry'] }) {
  const days = expiry.days === undefined ? '' : ` (${expiry.days} day${expiry.days === 1 ? '' : 's'})`;
  switch (expiry.state) {
    case 'ok':
      return <span className="badge badge-ok">valid{days}</span>;
    case 'none':
      return <span className="badge">no expiry</span>;
    case 'soon':
      return <span className="badge badge-warn">expires soon{days}</span>;
    case 'imminent':
      return <span className="badge badge-error">expires within a day</span>;
    case 'expired':
      return <span className="badge badge-error">expired</span>;
    case 'missing':
      return <span className="badge badge-error">missing from the vault</span>;
    default:
      return <span className="badge">{expiry.state}</span>;
  }
}
