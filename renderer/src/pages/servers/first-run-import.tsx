// First run: when nothing is configured yet, offer the servers the IDE clients on this machine already run. The
// preview shows what each runs and which secrets move to the keychain, by name only; the person picks servers,
// may have the client's entries replaced by Switchboard's, and is then offered to connect that client.
import { useId, useState } from 'react';
import { useStore } from 'zustand';
import { useStores } from '../../app/stores-context.tsx';
import type { ImportCandidate } from '../../stores/import-store.ts';
import { ErrorNote } from '../../ui/error-note.tsx';
import { useReadOnOpen } from '../../ui/page.tsx';

export function FirstRunImport() {
  const stores = useStores();
  const candidates = useStore(stores.imports, (s) => s.candidates);
  const finished = useStore(stores.imports, (s) => s.finished);
  const scan = useStore(stores.imports, (s) => s.scan);
  const [chosen, setChosen] = useState<string | null>(null);

  useReadOnOpen(scan);

  if (finished !== null) return <ImportDone />;
  if (candidates === null || candidates.length === 0) return null;
  const open = candidates.find((c) => c.client.id === chosen);
  return (
    <section className="panel first-run" aria-label="Import your servers">
      <h3>Bring the servers you already use</h3>
      <p>
        These clients already run MCP servers. Import them and every client you connect reaches the same servers, with
        their secrets kept in the keychain instead of config files.
      </p>
      <div className="toolbar">
        {candidates.map(({ client, preview }) => (
          <button
            key={client.id}
            type="button"
            aria-expanded={chosen === client.id}
            onClick={() => setChosen(chosen === client.id ? null : client.id)}
          >
            Import from {client.label} ({preview.servers.length})
          </button>
        ))}
      </div>
      {open !== undefined && <ImportPreview key={open.client.id} candidate={open} onCancel={() => setChosen(null)} />}
    </section>
  );
}

function ImportPreview({ candidate, onCancel }: { candidate: ImportCandidate; onCancel: () => void }) {
  const { client, preview } = candidate;
  const stores = useStores();
  const apply = useStore(stores.imports, (s) => s.apply);
  const refreshServers = useStore(stores.servers, (s) => s.refresh);
  const [picked, setPicked] = useState<ReadonlySet<string>>(() => new Set(preview.servers.map((s) => s.source)));
  const [replace, setReplace] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const ids = useId();

  const toggle = (source: string, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(source);
    else next.delete(source);
    setPicked(next);
  };

  const submit = async () => {
    setWorking(true);
    const only = preview.servers.filter((s) => picked.has(s.source)).map((s) => s.source);
    const answer = await apply(client, only, replace);
    setWorking(false);
    if (!answer.ok) setError(answer.error);
    else void refreshServers();
  };

  return (
    <form
      className="import-preview"
      aria-label={`Import from ${client.label}`}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h4>
        From {client.label} <small className="mono muted">{client.file}</small>
      </h4>
      <ErrorNote error={error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Import</th>
              <th scope="col">Server</th>
              <th scope="col">Runs</th>
              <th scope="col">Secrets moved to the keychain</th>
            </tr>
          </thead>
          <tbody>
            {preview.servers.map((server) => (
              <tr key={server.source}>
                <td>
                  <input
                    type="checkbox"
                    id={`${ids}-${server.source}`}
                    checked={picked.has(server.source)}
                    onChange={(event) => toggle(server.source, event.target.checked)}
                  />
                </td>
                <th scope="row">
                  <label htmlFor={`${ids}-${server.source}`}>{server.name}</label>
                  {server.name !== server.source && <small className="muted"> (was {server.source})</small>}
                  {server.notes.map((note) => (
                    <small key={note} className="hint">
                      {note}
                    </small>
                  ))}
                </th>
                <td className="mono">{server.runs}</td>
                <td className="mono">
                  {server.secrets.length === 0 ? <span className="muted">none</span> : server.secrets.join(', ')}
                  {server.moved.map((line) => (
                    <small key={line} className="hint">
                      {line}
                    </small>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {preview.skipped.length > 0 && (
        <ul className="plain-list muted" aria-label="Not imported">
          {preview.skipped.map((s) => (
            <li key={s.source}>
              {s.source} is left out: {s.reason}
            </li>
          ))}
        </ul>
      )}
      <div className="field checkbox-field">
        <label>
          <input type="checkbox" checked={replace} onChange={(event) => setReplace(event.target.checked)} /> Replace{' '}
          {client.label}'s entries with Switchboard
        </label>
        <small className="hint">
          The imported servers are removed from {client.file} and one Switchboard entry takes their place; a backup of
          the file is kept beside it.
        </small>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={working || picked.size === 0}>
          Import {picked.size} server{picked.size === 1 ? '' : 's'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ImportDone() {
  const stores = useStores();
  const finished = useStore(stores.imports, (s) => s.finished);
  const dismissed = useStore(stores.imports, (s) => s.dismissed);
  const connect = useStore(stores.ideClients, (s) => s.connect);
  const [connecting, setConnecting] = useState(false);
  const [connected, setConnected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (finished === null) return null;
  const { client, result } = finished;

  const connectClient = async () => {
    setConnecting(true);
    const answer = await connect(client.id, false);
    setConnecting(false);
    if (answer.ok) setConnected(answer.value.reload);
    else setError(answer.error);
  };

  return (
    <section className="panel first-run" aria-label="Import done">
      <h3>Imported from {client.label}</h3>
      <p role="status">
        Added {result.added.join(', ')}.
        {result.secrets.length > 0 && ` Moved to the keychain: ${result.secrets.join(', ')}.`}
      </p>
      {result.replaced ? (
        <p>{client.label} now reaches these servers through Switchboard; its old entries are in the backup.</p>
      ) : connected === null ? (
        <p>
          Connect {client.label} to Switchboard so it reaches them through the gateway.{' '}
          <button type="button" className="primary" disabled={connecting} onClick={() => void connectClient()}>
            Connect {client.label}
          </button>
        </p>
      ) : (
        <p role="status" className="reload-hint">
          {client.label} is connected. <strong>Next:</strong> {connected}
        </p>
      )}
      <ErrorNote error={error} />
      <p className="muted">
        Other clients can be connected on the <a href="#/clients">Clients</a> page.
      </p>
      <div className="form-actions">
        <button type="button" onClick={dismissed}>
          Close
        </button>
      </div>
    </section>
  );
}
