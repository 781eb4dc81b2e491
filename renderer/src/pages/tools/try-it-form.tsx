// "Try it": a form made from the tool's input schema that calls the tool through the gateway (as the client
// `dashboard`, audited like any other) and shows what came back.
import { useId, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { ToolView } from '../../../../preload/contract.ts';
import { useStores } from '../../app/stores-context.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { argumentsOf, argumentsOfJson, planOf, type SchemaField } from './schema-form.ts';
import { ToolResult } from './tool-result.tsx';

export function TryItForm({ tool }: { tool: ToolView }) {
  const stores = useStores();
  const call = useStore(stores.tryIt, (s) => s.call);
  const running = useStore(stores.tryIt, (s) => s.running && s.tool === tool.name);
  const plan = useMemo(() => planOf(tool.inputSchema), [tool.inputSchema]);
  const fields = plan.mode === 'fields' ? plan.fields : [];
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((field) => [field.name, field.initial])),
  );
  const [asJson, setAsJson] = useState(plan.mode === 'json');
  const [json, setJson] = useState('{}');
  const [problems, setProblems] = useState<Readonly<Record<string, string>>>({});

  const switchToJson = () => {
    const built = argumentsOf(fields, values);
    setJson(JSON.stringify(built.ok ? built.value : {}, null, 2));
    setProblems({});
    setAsJson(true);
  };

  const submit = () => {
    const built = asJson ? argumentsOfJson(json) : argumentsOf(fields, values);
    if (!built.ok) {
      setProblems(built.problems);
      return;
    }
    setProblems({});
    void call(tool.name, built.value);
  };

  return (
    <section className="try-it" aria-label={`Try ${tool.name}`}>
      <h4>Try it</h4>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        {asJson ? (
          <JsonArguments
            value={json}
            onChange={setJson}
            problem={problems['']}
            reason={plan.mode === 'json' ? plan.reason : null}
          />
        ) : fields.length === 0 ? (
          <p className="muted">This tool takes no arguments.</p>
        ) : (
          fields.map((field) => (
            <ArgumentField
              key={field.name}
              field={field}
              value={values[field.name] ?? ''}
              problem={problems[field.name]}
              onChange={(value) => setValues({ ...values, [field.name]: value })}
            />
          ))
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={running}>
            {running ? 'Calling…' : 'Call tool'}
          </button>
          {!asJson && (
            <button type="button" onClick={switchToJson}>
              Edit as JSON
            </button>
          )}
          {asJson && plan.mode === 'fields' && (
            <button type="button" onClick={() => setAsJson(false)}>
              Edit as form
            </button>
          )}
        </div>
      </form>
      <ToolResult tool={tool.name} />
    </section>
  );
}

function JsonArguments({
  value,
  onChange,
  problem,
  reason,
}: {
  value: string;
  onChange: (value: string) => void;
  problem: string | undefined;
  reason: string | null;
}) {
  const id = useId();
  return (
    <div className={problem === undefined ? 'field' : 'field invalid'}>
      <label htmlFor={id}>Arguments (JSON)</label>
      <textarea
        id={id}
        rows={8}
        className="code"
        spellCheck={false}
        value={value}
        aria-invalid={problem !== undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {reason !== null && <small className="hint">Edited as JSON because {reason}.</small>}
      <ErrorNote error={problem} />
    </div>
  );
}

function ArgumentField({
  field,
  value,
  problem,
  onChange,
}: {
  field: SchemaField;
  value: string;
  problem: string | undefined;
  onChange: (value: string) => void;
}) {
  const id = useId();
  const describedBy = [field.description === undefined ? null : `${id}-description`, problem ? `${id}-problem` : null]
    .filter((part) => part !== null)
    .join(' ');
  const common = {
    id,
    'aria-invalid': problem !== undefined,
    'aria-describedby': describedBy === '' ? undefined : describedBy,
    'aria-required': field.required,
  };
  let control;
  switch (field.kind) {
    case 'string':
      control = <input {...common} value={value} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'number':
    case 'integer':
      control = (
        <input
          {...common}
          inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    case 'boolean':
      control = (
        <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">(not set)</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      );
      break;
    case 'enum':
      control = (
        <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">(not set)</option>
          {(field.options ?? []).map((option) => (
            <option key={JSON.stringify(option)} value={JSON.stringify(option)}>
              {typeof option === 'string' ? option : JSON.stringify(option)}
            </option>
          ))}
        </select>
      );
      break;
    case 'string-array':
      control = <textarea {...common} rows={3} value={value} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'json':
      control = (
        <textarea
          {...common}
          rows={4}
          className="code"
          spellCheck={false}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
  }
  return (
    <div className={problem === undefined ? 'field' : 'field invalid'}>
      <label htmlFor={id}>{field.name}</label>
      <span className="field-meta">
        {field.kind === 'string-array' ? 'strings, one per line' : field.kind === 'json' ? 'JSON' : field.kind}
        {field.required ? ', required' : ''}
      </span>
      {control}
      {field.description !== undefined && (
        <small className="hint" id={`${id}-description`}>
          {field.description}
        </small>
      )}
      {problem !== undefined && (
        <p className="field-problems" id={`${id}-problem`}>
          {field.name} {problem}
        </p>
      )}
    </div>
  );
}
