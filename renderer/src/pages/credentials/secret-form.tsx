// Adds a secret or rotates one: the value goes in through a masked field and is sent once; the field is
// emptied as soon as it is sent, whatever the answer, and nothing ever reads a value back.
import { useEffect, useId, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { FieldProblem } from '../../../../preload/contract.ts';
import { useStores } from '../../app/stores-context.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';

/** A date from the date field as the end of that day in the person's time zone, as ISO 8601. */
function expiresOf(date: string): string | undefined {
  if (date === '') return undefined;
  const [year, month, day] = date.split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined) return undefined;
  return new Date(year, month - 1, day, 23, 59, 59).toISOString();
}

/** A new secret (`add`), a new value for one (`rotate`), or the first value of one servers refer to (`set`). */
export type SecretIntent = { readonly mode: 'add' } | { readonly mode: 'rotate' | 'set'; readonly name: string };

export function SecretForm({ intent, onDone }: { intent: SecretIntent; onDone: () => void }) {
  const rotating = intent.mode === 'add' ? null : intent.name;
  const stores = useStores();
  const save = useStore(stores.secrets, (s) => s.save);
  const [name, setName] = useState(rotating ?? '');
  const [value, setValue] = useState('');
  const [expires, setExpires] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<readonly FieldProblem[]>([]);
  const [saving, setSaving] = useState(false);
  const ids = useId();
  const firstRef = useRef<HTMLInputElement>(null);

  useEffect(() => firstRef.current?.focus(), []);

  const problemOf = (path: string) => problems.filter((p) => p.path === path).map((p) => p.message);
  const title = intent.mode === 'add' ? 'Add secret' : `${intent.mode === 'set' ? 'Set' : 'Rotate'} ${intent.name}`;

  const submit = async () => {
    if (name.trim() === '' || value === '') {
      setError(name.trim() === '' ? 'Give the secret a name.' : 'Type the secret’s value.');
      return;
    }
    setSaving(true);
    const sent = value;
    setValue('');
    const answer = await save(name.trim(), sent, expiresOf(expires));
    setSaving(false);
    if (answer.ok) onDone();
    else {
      setError(answer.error);
      setProblems(answer.problems ?? []);
    }
  };

  return (
    <form
      className="panel secret-form"
      aria-label={title}
      noValidate
      autoComplete="off"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onDone();
      }}
    >
      <h3>{title}</h3>
      <ErrorNote error={error} />
      {rotating === null && (
        <div className="field">
          <label htmlFor={`${ids}-name`}>Name</label>
          <input
            id={`${ids}-name`}
            ref={firstRef}
            value={name}
            spellCheck={false}
            aria-describedby={`${ids}-name-hint`}
            onChange={(event) => setName(event.target.value)}
          />
          <small className="hint" id={`${ids}-name-hint`}>
            Refer to it in a server as {'${secret:'}
            {name.trim() || 'NAME'}
            {'}'}.
          </small>
          <Problems messages={problemOf('name')} />
        </div>
      )}
      <div className="field">
        <label htmlFor={`${ids}-value`}>{intent.mode === 'rotate' ? 'New value' : 'Value'}</label>
        <input
          id={`${ids}-value`}
          ref={rotating === null ? undefined : firstRef}
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          value={value}
          onChange={(event) => setValue(event.target.value)}
        />
        <small className="hint">Stored in the vault; it is never shown again.</small>
        <Problems messages={problemOf('value')} />
      </div>
      <div className="field">
        <label htmlFor={`${ids}-expires`}>Expires</label>
        <input id={`${ids}-expires`} type="date" value={expires} onChange={(event) => setExpires(event.target.value)} />
        <small className="hint">Optional. You are warned 7 days and 1 day before.</small>
        <Problems messages={problemOf('expires')} />
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={saving}>
          Save
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Problems({ messages }: { messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul className="field-problems">
      {messages.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}
