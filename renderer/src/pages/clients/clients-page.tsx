// Clients: the IDE clients found on this machine with one-click connect, the tokens that may connect to the
// gateway and the sessions open now, and how to connect any other client by hand.
import { useStore } from 'zustand';
import { useStores } from '../../app/stores-context.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { formatDate } from '../../ui/format.ts';
import { IdeClientsSection } from './ide-clients-section.tsx';
import { Page, useReadOnOpen } from '../../ui/page.tsx';

export function ClientsPage() {
  const stores = useStores();
  const view = useStore(stores.clients, (s) => s.value);
  const error = useStore(stores.clients, (s) => s.error);
  const refresh = useStore(stores.clients, (s) => s.refresh);
  const refreshIde = useStore(stores.ideClients, (s) => s.refresh);

  useReadOnOpen(refresh);

  const sessions = new Map(view?.sessions.map((s) => [s.client, s.sessions]) ?? []);
  return (
    <Page
      title="Clients"
      actions={
        <button type="button" onClick={() => void Promise.all([refresh(), refreshIde()])}>
          Refresh
        </button>
      }
    >
      <IdeClientsSection />
      <h3>Client tokens</h3>
      <ErrorNote error={error} />
      {view !== null && view.tokens.length === 0 && view.sessions.length === 0 && (
        <EmptyState title="No clients yet">
          <p>No client token has been created, so no MCP client can connect yet.</p>
        </EmptyState>
      )}
      {view !== null && view.tokens.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Token</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Sessions now</th>
              </tr>
            </thead>
            <tbody>
              {view.tokens.map((token) => (
                <tr key={token.name}>
                  <th scope="row">{token.name}</th>
                  <td>
                    {token.revoked ? (
                      <span className="badge badge-error">revoked</span>
                    ) : (
                      <span className="badge badge-ok">active</span>
                    )}
                  </td>
                  <td>{formatDate(token.created)}</td>
                  <td>{token.expires === null ? 'never' : formatDate(token.expires)}</td>
                  <td className="num">{sessions.get(token.name) ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {view !== null && view.sessions.some((s) => !view.tokens.some((t) => t.name === s.client)) && (
        <section aria-label="Other sessions">
          <h3>Other sessions</h3>
          <ul className="plain-list">
            {view.sessions
              .filter((s) => !view.tokens.some((t) => t.name === s.client))
              .map((s) => (
                <li key={s.client}>
                  {s.client}: {s.sessions} session{s.sessions === 1 ? '' : 's'}
                </li>
              ))}
          </ul>
        </section>
      )}
      <ConnectHelp />
    </Page>
  );
}

function ConnectHelp() {
  return (
    <section className="help" aria-label="Connect another client">
      <h3>Connect another client</h3>
      <p>
        Run <code>switchboard token create NAME</code> (for example <code>switchboard token create my-ide</code>); it
        prints the token once. Point your MCP client at the <a href="#/settings">gateway URL</a> with the header{' '}
        <code>Authorization: Bearer &lt;token&gt;</code>, or, for a client that only speaks stdio, run{' '}
        <code>SWITCHBOARD_TOKEN=&lt;token&gt; switchboard bridge --client NAME</code>.
      </p>
    </section>
  );
}
