// Credentials: the vault's secret names, which servers use each, and when they expire. Values go in (add,
// rotate) and never come out: this page has nothing to show them with.
import { useState } from 'react';
import { useStore } from 'zustand';
import { useStores } from '../../app/stores-context.tsx';
import { ConfirmButton } from '../../ui/confirm-button.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { formatDate } from '../../ui/format.ts';
import { ExpiryBadge } from './expiry-badge.tsx';
import { SecretForm, type SecretIntent } from './secret-form.tsx';
import { Page, useReadOnOpen } from '../../ui/page.tsx';

type Editing = SecretIntent | null;

export function CredentialsPage() {
  const stores = useStores();
  const view = useStore(stores.secrets, (s) => s.view);
  const error = useStore(stores.secrets, (s) => s.error);
  const rowErrors = useStore(stores.secrets, (s) => s.rowErrors);
  const refresh = useStore(stores.secrets, (s) => s.refresh);
  const remove = useStore(stores.secrets, (s) => s.remove);
  const [editing, setEditing] = useState<Editing>(null);

  useReadOnOpen(refresh);

  return (
    <Page
      title="Credentials"
      actions={
        <button type="button" className="primary" onClick={() => setEditing({ mode: 'add' })}>
          Add secret
        </button>
      }
    >
      {view !== null && <p className="muted">Values are kept in {view.vault}.</p>}
      <ErrorNote error={error} />
      {editing !== null && (
        <SecretForm
          key={editing.mode === 'add' ? '+' : editing.name}
          intent={editing}
          onDone={() => setEditing(null)}
        />
      )}
      {view !== null && view.secrets.length === 0 && (
        <EmptyState title="No secrets yet">
          <p>
            Keep API keys and tokens here instead of in a server's configuration: choose <strong>Add secret</strong>,
            then write <code>{'${secret:NAME}'}</code> in a server's Environment or Headers.
          </p>
        </EmptyState>
      )}
      {view !== null && view.secrets.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Used by</th>
                <th scope="col">Expiry</th>
                <th scope="col">Expires</th>
                <th scope="col">Rotated</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {view.secrets.map((secret) => (
                <tr key={secret.name}>
                  <th scope="row" className="mono">
                    {secret.name}
                  </th>
                  <td>
                    {secret.usedBy.length === 0 ? <span className="muted">no server</span> : secret.usedBy.join(', ')}
                  </td>
                  <td>
                    <ExpiryBadge expiry={secret.expiry} />
                  </td>
                  <td>{formatDate(secret.expires)}</td>
                  <td>{formatDate(secret.rotated ?? secret.created)}</td>
                  <td>{formatDate(secret.lastUsed)}</td>
                  <td className="actions">
                    {secret.expiry.state === 'missing' ? (
                      <button type="button" onClick={() => setEditing({ mode: 'set', name: secret.name })}>
                        Set value
                      </button>
                    ) : (
                      <button type="button" onClick={() => setEditing({ mode: 'rotate', name: secret.name })}>
                        Rotate
                      </button>
                    )}
                    <ConfirmButton
                      label="Remove"
                      question={
                        secret.usedBy.length === 0
                          ? `Remove ${secret.name}?`
                          : `Remove ${secret.name}? ${secret.usedBy.join(', ')} will not start without it.`
                      }
                      onConfirm={() => void remove(secret.name)}
                    />
                    <ErrorNote error={rowErrors[secret.name]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
