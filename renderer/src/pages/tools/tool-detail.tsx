// One tool: what it says it does, its schemas and annotations, what tool lint flags, and the form to try it.
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
