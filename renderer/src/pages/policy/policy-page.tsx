// Policy: team policy sync is not built yet, and the page says so rather than show controls that do nothing.
import { EmptyState } from '../../ui/empty-state.tsx';
import { Page } from '../../ui/page.tsx';

export function PolicyPage() {
  return (
    <Page title="Policy">
      <EmptyState title="No team policy: this gateway uses its local config">
        <p>
          Every call is allowed by the rule <code>default</code>, as the Calls page records. Servers and credentials
          come from this machine's <code>config.json</code> and vault. Syncing a policy from your team is not available
          yet.
        </p>
      </EmptyState>
    </Page>
  );
}
