// Settings: where Switchboard keeps its data and how the gateway, vault and audit trail are set, read only
// (they are changed in config.json, which the running gateway follows).
import { useStore } from 'zustand';
import { useStores } from '../../app/stores-context.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { Page, useReadOnOpen } from '../../ui/page.tsx';

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function Facts({ label, entries }: { label: string; entries: readonly (readonly [string, unknown])[] }) {
  return (
    <section aria-label={label}>
      <h3>{label}</h3>
      <dl className="facts">
        {entries.map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd className="mono">{show(value)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function SettingsPage() {
  const stores = useStores();
  const view = useStore(stores.settings, (s) => s.value);
  const error = useStore(stores.settings, (s) => s.error);
  const refresh = useStore(stores.settings, (s) => s.refresh);

  useReadOnOpen(refresh);

  return (
    <Page title="Settings">
      <ErrorNote error={error} />
      {view !== null && (
        <>
          <p className="muted">
            Read only: change these in <code>config.json</code> in the data directory; the running gateway follows the
            file.
          </p>
          <Facts
            label="General"
            entries={[
              ['Data directory', view.dataDir],
              ['Gateway URL', view.gatewayUrl],
              ['Vault', view.vault],
            ]}
          />
          <Facts label="Gateway" entries={Object.entries(view.gateway)} />
          <Facts label="Audit" entries={Object.entries(view.audit)} />
        </>
      )}
    </Page>
  );
}
