// Servers: each configured server with its state, health and counters, the add/edit form and a log pane. The
// list follows `server-state` events; CPU and memory are sampled by the core and carried by no event, so the
// list is also re-read every few seconds while the page is open.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useStores } from '../../app/stores-context.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { FirstRunImport } from './first-run-import.tsx';
import { CommandReview } from './command-review.tsx';
import { LogPane } from './log-pane.tsx';
import { ServerForm } from './server-form.tsx';
import { ServerRow } from './server-row.tsx';
import { Page } from '../../ui/page.tsx';

const USAGE_REFRESH_MS = 5_000;

export function ServersPage() {
  const stores = useStores();
  const servers = useStore(stores.servers, (s) => s.servers);
  const error = useStore(stores.servers, (s) => s.error);
  const panel = useStore(stores.servers, (s) => s.panel);
  const openPanel = useStore(stores.servers, (s) => s.openPanel);
  const refresh = useStore(stores.servers, (s) => s.refresh);
  const importing = useStore(stores.imports, (s) => s.finished !== null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => {
      setNow(Date.now());
      void refresh();
    }, USAGE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  return (
    <Page
      title="Servers"
      actions={
        <button
          type="button"
          className="primary"
          onClick={() => openPanel({ mode: 'add' })}
          aria-expanded={panel?.mode === 'add'}
        >
          Add server
        </button>
      }
    >
      <ErrorNote error={error} />
      {panel?.mode === 'approve' && <CommandReview key={`approve:${panel.name}`} name={panel.name} />}
      {panel !== null && panel.mode !== 'approve' && (
        <ServerForm key={panel.mode === 'add' ? '+' : panel.name} editing={panel.mode === 'add' ? null : panel.name} />
      )}
      {servers === null && error === null && <p className="muted">Reading servers…</p>}
      {((servers !== null && servers.length === 0) || importing) && <FirstRunImport />}
      {servers !== null && servers.length === 0 && (
        <EmptyState title="No servers yet">
          <p>
            Choose <strong>Add server</strong> to run a local MCP server (a command such as{' '}
            <code>npx -y @modelcontextprotocol/server-everything</code>) or to connect a remote one by its URL. Every
            server is then served to your MCP clients through this gateway.
          </p>
        </EmptyState>
      )}
      {servers !== null && servers.length > 0 && (
        <div className="table-wrap">
          <table className="servers">
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">State</th>
                <th scope="col">Health</th>
                <th scope="col">Uptime</th>
                <th scope="col">Restarts</th>
                <th scope="col">CPU</th>
                <th scope="col">RAM</th>
                <th scope="col">Tools</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {servers.map((server) => (
                <ServerRow key={server.name} server={server} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LogPane />
    </Page>
  );
}
