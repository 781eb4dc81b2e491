// Settings: where Switchboard keeps its data and how the gateway, vault and audit trail are set, read only
// (they are changed in config.json, which the running gateway follows).
import { useStore } from 'zustand';
import type { AuditUploadView } from '../../../../preload/contract.ts';
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

const UPLOAD_STATES: Readonly<Record<Exclude<AuditUploadView['state'], 'off' | 'idle'>, string>> = {
  sending: 'Sending',
  backoff: 'Failing, retrying',
  stopped: 'Stopped',
};

/** One line on where the upload to the team's collector stands. */
export function uploadLine(upload: AuditUploadView): string {
  if (upload.state === 'off') return 'Off: no endpoint in audit.upload.url or in the team policy.';
  const state =
    upload.state === 'idle'
      ? upload.pending === 0
        ? 'Up to date'
        : 'Waiting for the next round'
      : UPLOAD_STATES[upload.state];
  const source = upload.source === 'team' ? 'named by the team policy' : 'from config.json';
  const last = upload.lastUploadAt === null ? 'nothing acknowledged yet' : `last acknowledged ${upload.lastUploadAt}`;
  const error = upload.lastError === null ? '' : `. Last error: ${upload.lastError}`;
  return `${state}: ${upload.target} (${source}), ${upload.pending} pending, ${last}${error}`;
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
          <p aria-label="Audit upload" className={view.auditUpload.state === 'stopped' ? 'error-text' : 'muted'}>
            Upload: {uploadLine(view.auditUpload)}
          </p>
        </>
      )}
    </Page>
  );
}
