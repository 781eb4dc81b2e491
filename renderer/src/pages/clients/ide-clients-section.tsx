// The IDE clients found on this machine, where each stands, and the one-click actions: Connect, Repair (a stale
// entry is connected again), Check (the doctor connects as the client would) and Disconnect. What an action came
// to, or why it failed, is shown under its client's row.
import { useId, useState } from 'react';
import { useStore } from 'zustand';
import type { IdeClientView } from '../../../../preload/contract.ts';
import { useStores } from '../../app/stores-context.tsx';
import type { ClientOutcome } from '../../stores/ide-clients-store.ts';
import { ConfirmButton } from '../../ui/confirm-button.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { useReadOnOpen } from '../../ui/page.tsx';
import { TokenPanel, type IssuedToken } from './token-panel.tsx';

const STATE_BADGE: { readonly [S in IdeClientView['state']]: { readonly text: string; readonly className: string } } = {
  connected: { text: 'connected', className: 'badge badge-ok' },
  stale: { text: 'needs repair', className: 'badge badge-warn' },
  'not-connected': { text: 'not connected', className: 'badge' },
  'not-installed': { text: 'not installed', className: 'badge badge-muted' },
};

export function IdeClientsSection() {
  const stores = useStores();
  const clients = useStore(stores.ideClients, (s) => s.clients);
  const error = useStore(stores.ideClients, (s) => s.error);
  const refresh = useStore(stores.ideClients, (s) => s.refresh);
  const [byUrl, setByUrl] = useState(false);
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const urlId = useId();

  useReadOnOpen(refresh);

  return (
    <section aria-labelledby={`${urlId}-title`}>
      <h3 id={`${urlId}-title`}>IDE clients on this machine</h3>
      <ErrorNote error={error} />
      {issued !== null && <TokenPanel issued={issued} onDone={() => setIssued(null)} />}
      {clients !== null && clients.length === 0 && (
        <p className="muted">No IDE client that Switchboard knows was found on this machine.</p>
      )}
      {clients !== null && clients.length > 0 && (
        <>
          <div className="field checkbox-field">
            <label htmlFor={urlId}>
              <input id={urlId} type="checkbox" checked={byUrl} onChange={(event) => setByUrl(event.target.checked)} />{' '}
              Connect by URL and token instead of the bridge command
            </label>
            <small className="hint">
              By default the client runs <code>switchboard bridge</code>, which reads its token from the keychain, so no
              secret is written to the client's file. Choose this for a client that cannot run a command; its token is
              shown once.
            </small>
          </div>
          <div className="table-wrap">
            <table className="ide-clients">
              <thead>
                <tr>
                  <th scope="col">Client</th>
                  <th scope="col">State</th>
                  <th scope="col">Config file</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {clients.map((client) => (
                  <IdeClientRows key={client.id} client={client} byUrl={byUrl} onToken={setIssued} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function IdeClientRows({
  client,
  byUrl,
  onToken,
}: {
  client: IdeClientView;
  byUrl: boolean;
  onToken: (issued: IssuedToken) => void;
}) {
  const stores = useStores();
  const busy = useStore(stores.ideClients, (s) => s.busy[client.id] === true);
  const outcome = useStore(stores.ideClients, (s) => s.outcomes[client.id]);
  const connectClient = useStore(stores.ideClients, (s) => s.connect);
  const disconnect = useStore(stores.ideClients, (s) => s.disconnect);
  const check = useStore(stores.ideClients, (s) => s.check);
  const dismissed = useStore(stores.ideClients, (s) => s.dismissed);
  const badge = STATE_BADGE[client.state];

  const connect = async () => {
    // A repair keeps the kind of entry the client had: a URL entry stays one, with a new token.
    const answer = await connectClient(client.id, byUrl || (client.state === 'stale' && client.entry === 'url'));
    if (answer.ok && answer.value.token !== undefined) {
      onToken({ label: client.label, token: answer.value.token, file: answer.value.file, reload: answer.value.reload });
    }
  };

  const installed = client.state !== 'not-installed';
  const ours = client.state === 'connected' || client.state === 'stale';
  return (
    <>
      <tr>
        <th scope="row">
          {client.label}
          {client.entry !== undefined && (
            <small className="muted"> ({client.entry === 'url' ? 'URL' : 'bridge'})</small>
          )}
        </th>
        <td>
          <span className={badge.className}>{badge.text}</span>
          {client.reason !== undefined && <small className="state-reason">{client.reason}</small>}
        </td>
        <td className="mono">{client.file}</td>
        <td className="actions">
          {client.state === 'not-connected' && (
            <button type="button" className="primary" disabled={busy} onClick={() => void connect()}>
              Connect
            </button>
          )}
          {client.state === 'stale' && (
            <button type="button" className="primary" disabled={busy} onClick={() => void connect()}>
              Repair
            </button>
          )}
          {ours && (
            <button type="button" disabled={busy} onClick={() => void check(client.id)}>
              Check
            </button>
          )}
          {ours && (
            <ConfirmButton
              label="Disconnect"
              question={`Remove Switchboard from ${client.label} and revoke its token?`}
              disabled={busy}
              onConfirm={() => void disconnect(client.id)}
            />
          )}
          {!installed && <span className="muted">—</span>}
        </td>
      </tr>
      {outcome !== undefined && (
        <tr className="outcome-row">
          <td colSpan={4}>
            <Outcome label={client.label} outcome={outcome} />
            <button type="button" className="link" onClick={() => dismissed(client.id)}>
              Dismiss
            </button>
          </td>
        </tr>
      )}
    </>
  );
}

function Outcome({ label, outcome }: { label: string; outcome: ClientOutcome }) {
  switch (outcome.kind) {
    case 'failed':
      return <ErrorNote error={`${outcome.action} ${label} failed: ${outcome.error}`} />;
    case 'connected': {
      const { file, changed, backup, reload } = outcome.result;
      return (
        <div role="status">
          <p>
            {changed ? `Connected: wrote ${file}.` : `Already connected: ${file} was left as it was.`}
            {backup !== null && ` The previous file is kept at ${backup}.`}
          </p>
          <p className="reload-hint">
            <strong>Next:</strong> {reload}
          </p>
        </div>
      );
    }
    case 'disconnected':
      return (
        <p role="status">
          {outcome.removed ? `Removed Switchboard from ${outcome.file}.` : `${outcome.file} had no Switchboard entry.`}
          {outcome.revoked ? ' Its token is revoked.' : ''}
        </p>
      );
    case 'checked': {
      const { doctor } = outcome;
      return (
        <div role="status" aria-label={`Check of ${label}`}>
          <p>
            {doctor.ok ? `${label} reaches the gateway.` : `${label} would not reach the gateway:`} ({doctor.file})
          </p>
          <ul className="checks">
            {doctor.checks.map((c) => (
              <li key={c.name}>
                <span className={c.ok ? 'badge badge-ok' : 'badge badge-error'}>{c.ok ? 'ok' : 'fail'}</span>{' '}
                <strong>{c.name}</strong>: {c.detail}
              </li>
            ))}
          </ul>
          {doctor.tools !== undefined && (
            <p>
              {doctor.tools.length === 0
                ? 'It would see no tools: add a server, or check the servers are running.'
                : `It would see ${doctor.tools.length} tool${doctor.tools.length === 1 ? '' : 's'}: `}
              {doctor.tools.length > 0 && <span className="mono">{doctor.tools.join(', ')}</span>}
            </p>
          )}
        </div>
      );
    }
  }
}
