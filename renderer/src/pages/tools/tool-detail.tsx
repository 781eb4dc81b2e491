// One tool: what it says it does, its schemas and annotations, its pin, what tool lint flags, and the form to try it.
import type { ToolView } from '../../../../preload/contract.ts';
import { JsonBlock } from '../../ui/json-block.tsx';
import { ToolLintFindings } from './tool-lint.tsx';
import { TryItForm } from './try-it-form.tsx';

export function ToolDetail({ tool }: { tool: ToolView }) {
  const annotations = Object.entries(tool.annotations ?? {});
  return (
    <article className="tool-detail" aria-label={`Tool ${tool.name}`}>
      <h3>
        <code>{tool.name}</code>
        {tool.title !== undefined && <span className="muted"> {tool.title}</span>}
      </h3>
      {tool.description !== undefined ? (
        <p className="description">{tool.description}</p>
      ) : (
        <p className="muted">No description.</p>
      )}
      {annotations.length > 0 && (
        <ul className="annotations" aria-label="Annotations">
          {annotations.map(([key, value]) => (
            <li key={key} className="badge">
              {key}: {JSON.stringify(value)}
            </li>
          ))}
        </ul>
      )}
      {tool.pin !== undefined && (
        <p className={tool.pin.changed ? 'warning' : 'muted'} aria-label="Pinning">
          {tool.pin.changed
            ? 'Its definition changed since it was approved: it is hidden from every client until you approve the change (Review, above).'
            : `Pinned since ${new Date(tool.pin.approvedAt).toLocaleString()}: `}
          {!tool.pin.changed && <code title={tool.pin.hash}>{tool.pin.hash.slice(0, 19)}…</code>}
        </p>
      )}
      {tool.lint !== undefined && <ToolLintFindings findings={tool.lint} />}
      <details>
        <summary>Input schema</summary>
        <JsonBlock value={tool.inputSchema} label="Input schema" />
      </details>
      {tool.outputSchema !== undefined && (
        <details>
          <summary>Output schema</summary>
          <JsonBlock value={tool.outputSchema} label="Output schema" />
        </details>
      )}
      <TryItForm key={tool.name} tool={tool} />
    </article>
  );
}
