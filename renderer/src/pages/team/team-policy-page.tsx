// Team policy: each published version with how many installs enforce it, and each install (a member's desktop or
// shared gateway) with the version it enforces, when it was last heard from, and breaks in its chain.
import { useStore } from 'zustand';
import { useTeamStores } from '../../app/team-stores-context.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { formatDate } from '../../ui/format.ts';
import { Page, useReadOnOpen } from '../../ui/page.tsx';

const VERSION_COLUMNS = ['Version', 'Published', 'Expires', 'SHA-256', 'Installs on it'];
const INSTALL_COLUMNS = ['Member', 'Host', 'Install', 'App version', 'Policy version', 'Last seen', 'Chain breaks'];

/** An install's version beside the newest published: behind is what an admin looks for. */
function PolicyVersion({ version, newest }: { version: number | null; newest: number | null }) {
  if (version === null) return <span className="badge badge-muted">none yet</span>;
  if (version === newest) return <span className="badge badge-ok">{version} (newest)</span>;
  return <span className="badge badge-warn">{version} (behind)</span>;
}

export function TeamPolicyPage() {
  const stores = useTeamStores();
  const view = useStore(stores.policy, (s) => s.value);
  const error = useStore(stores.policy, (s) => s.error);
  const refresh = useStore(stores.policy, (s) => s.refresh);
  useReadOnOpen(refresh);
  const newest = view?.versions[0]?.version ?? null;

  return (
    <Page title="Team policy">
      <ErrorNote error={error} />
      {view !== null && (
        <>
          <section aria-label="Published versions">
            <h3>Published versions</h3>
            {view.versions.length === 0 ? (
              <EmptyState title="Nothing published yet">
                <p>
                  Publish a signed policy with <code>switchboard policy publish FILE --key KEY --to URL</code>.
                </p>
              </EmptyState>
            ) : (
              <DataTable label="Published versions" columns={VERSION_COLUMNS}>
                {view.versions.map((v) => (
                  <tr key={v.version}>
                    <th scope="row">{v.version}</th>
                    <td>{formatDate(v.publishedAt)}</td>
                    <td>{formatDate(v.expiresAt)}</td>
                    <td className="mono" title={v.sha256}>
                      {v.sha256.slice(0, 12)}
                    </td>
                    <td className="num">{v.installs}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
          <section aria-label="Installs">
            <h3>Installs</h3>
            {view.installs.length === 0 ? (
              <EmptyState title="No install has sent records yet" />
            ) : (
              <DataTable label="Installs" columns={INSTALL_COLUMNS}>
                {view.installs.map((i) => (
                  <tr key={i.install}>
                    <th scope="row">{i.member}</th>
                    <td>{i.host}</td>
                    <td className="mono" title={i.install}>
                      {i.install.slice(0, 8)}
                    </td>
                    <td>{i.appVersion}</td>
                    <td>
                      <PolicyVersion version={i.policyVersion} newest={newest} />
                    </td>
                    <td>{formatDate(i.lastSeen)}</td>
                    <td className="num">{i.chainBreaks}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
        </>
      )}
    </Page>
  );
}
