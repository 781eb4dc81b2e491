// The add/edit form: a stdio command or a remote URL. Editing first reads the server's config; saving sends the
// whole server. The form's own problems and the core's are shown beside their fields, anything else on top.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { FieldProblem } from '../../../../preload/contract.ts';
import { useStores } from '../../app/stores-context.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { EMPTY_FORM, formOf, placeProblems, serverOf, type ServerFormValues } from './server-form-model.ts';

interface Refusal {
  readonly error: string | null;
  readonly problems: readonly FieldProblem[];
}

const NO_REFUSAL: Refusal = { error: null, problems: [] };

export function ServerForm({ editing }: { editing: string | null }) {
  const stores = useStores();
  const loadConfig = useStore(stores.servers, (s) => s.loadConfig);
  const save = useStore(stores.servers, (s) => s.save);
  const openPanel = useStore(stores.servers, (s) => s.openPanel);
  const [values, setValues] = useState<ServerFormValues | null>(editing === null ? EMPTY_FORM : null);
  const [refusal, setRefusal] = useState<Refusal>(NO_REFUSAL);
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (editing === null) return;
    let current = true;
    void loadConfig(editing).then((answer) => {
      if (!current) return;
      if (answer.ok) setValues(formOf(editing, answer.value));
      else setRefusal({ error: answer.error, problems: [] });
    });
    return () => {
      current = false;
    };
  }, [editing, loadConfig]);

  const ready = values !== null;
  useEffect(() => {
    if (ready) formRef.current?.querySelector<HTMLElement>('input:not([disabled]), textarea')?.focus();
  }, [ready]);

  const close = () => openPanel(null);
  const title = editing === null ? 'Add server' : `Edit ${editing}`;

  if (values === null) {
    return (
      <section className="panel" aria-label={title}>
        <h3>{title}</h3>
        {refusal.error === null ? <p>Reading its configuration…</p> : <ErrorNote error={refusal.error} />}
        <button type="button" onClick={close}>
          Cancel
        </button>
      </section>
    );
  }

  const set = (change: Partial<ServerFormValues>) => setValues({ ...values, ...change });
  const { byField, general } = placeProblems(refusal.problems, values.name);

  const submit = async () => {
    const built = serverOf(values);
    if (!built.ok) {
      setRefusal({ error: 'Some fields need attention.', problems: built.problems });
      return;
    }
    setSaving(true);
    const answer = await save(values.name.trim(), built.server, editing !== null);
    setSaving(false);
    if (!answer.ok) setRefusal({ error: answer.error, problems: answer.problems ?? [] });
  };

  return (
    <form
      ref={formRef}
      className="panel server-form"
      aria-label={title}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') close();
      }}
    >
      <h3>{title}</h3>
      <ErrorNote error={refusal.error} />
      {general.length > 0 && (
        <ul className="problems">
          {general.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <Field label="Name" problems={byField.name}>
        {(props) => (
          <input
            {...props}
            value={values.name}
            disabled={editing !== null}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => set({ name: e.target.value })}
          />
        )}
      </Field>
      <fieldset className="transport">
        <legend>Transport</legend>
        {(
          [
            ['stdio', 'Local process (stdio)'],
            ['http', 'Streamable HTTP'],
            ['sse', 'SSE'],
          ] as const
        ).map(([transport, label]) => (
          <label key={transport}>
            <input
              type="radio"
              name="transport"
              value={transport}
              checked={values.transport === transport}
              onChange={() => set({ transport })}
            />
            {label}
          </label>
        ))}
        <FieldProblems problems={byField.transport} />
      </fieldset>
      {values.transport === 'stdio' ? (
        <>
          <Field label="Command" problems={byField.command} hint="The program to run, e.g. npx or /usr/bin/python3.">
            {(props) => (
              <input
                {...props}
                value={values.command}
                spellCheck={false}
                onChange={(e) => set({ command: e.target.value })}
              />
            )}
          </Field>
          <Field label="Arguments" problems={byField.args} hint="One per line.">
            {(props) => (
              <textarea
                {...props}
                rows={3}
                value={values.args}
                spellCheck={false}
                onChange={(e) => set({ args: e.target.value })}
              />
            )}
          </Field>
          <Field
            label="Environment"
            problems={byField.env}
            hint="KEY=VALUE, one per line. Use ${secret:NAME} for a value kept in Credentials."
          >
            {(props) => (
              <textarea
                {...props}
                rows={3}
                value={values.env}
                spellCheck={false}
                onChange={(e) => set({ env: e.target.value })}
              />
            )}
          </Field>
          <Field label="Working directory" problems={byField.cwd} hint="Optional.">
            {(props) => (
              <input {...props} value={values.cwd} spellCheck={false} onChange={(e) => set({ cwd: e.target.value })} />
            )}
          </Field>
        </>
      ) : (
        <>
          <Field label="URL" problems={byField.url} hint="The server's MCP endpoint, e.g. https://example.com/mcp.">
            {(props) => (
              <input
                {...props}
                type="url"
                value={values.url}
                spellCheck={false}
                onChange={(e) => set({ url: e.target.value })}
              />
            )}
          </Field>
          <Field
            label="Headers"
            problems={byField.headers}
            hint="Name: value, one per line. Use ${secret:NAME} for a value kept in Credentials."
          >
            {(props) => (
              <textarea
                {...props}
                rows={3}
                value={values.headers}
                spellCheck={false}
                onChange={(e) => set({ headers: e.target.value })}
              />
            )}
          </Field>
        </>
      )}
      <label className="check">
        <input type="checkbox" checked={values.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
        Enabled: runs whenever the gateway runs
      </label>
      <label className="check">
        <input type="checkbox" checked={values.onDemand} onChange={(e) => set({ onDemand: e.target.checked })} />
        On demand: starts on first use, stops when idle (saves memory; the first call waits for the start)
      </label>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={saving}>
          Save
        </button>
        <button type="button" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface ControlProps {
  readonly id: string;
  readonly 'aria-invalid': boolean;
  readonly 'aria-describedby': string | undefined;
}

function Field({
  label,
  problems,
  hint,
  children,
}: {
  label: string;
  problems: readonly string[] | undefined;
  hint?: string;
  children: (props: ControlProps) => ReactNode;
}) {
  const id = useId();
  const invalid = problems !== undefined && problems.length > 0;
  const described = [hint === undefined ? null : `${id}-hint`, invalid ? `${id}-problems` : null]
    .filter((part) => part !== null)
    .join(' ');
  return (
    <div className={invalid ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': invalid, 'aria-describedby': described === '' ? undefined : described })}
      {hint !== undefined && (
        <small className="hint" id={`${id}-hint`}>
          {hint}
        </small>
      )}
      <FieldProblems problems={problems} id={`${id}-problems`} />
    </div>
  );
}

function FieldProblems({ problems, id }: { problems: readonly string[] | undefined; id?: string }) {
  if (problems === undefined || problems.length === 0) return null;
  return (
    <ul className="field-problems" id={id}>
      {problems.map((problem) => (
        <li key={problem}>{problem}</li>
      ))}
    </ul>
  );
}
