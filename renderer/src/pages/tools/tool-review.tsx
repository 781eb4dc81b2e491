// Tools that need a person: a definition changed since approval (hidden from every client until approved, T28),
// shown as a diff with an Approve button, and definitions the description scan flagged (T29). Hidden characters
// arrive written out (`<U+200B>`), so what is shown is what a model would read.
import { useStore } from 'zustand';
import type { ToolPinView } from '../../../../preload/contract.ts';
import { useStores } from '../../app/stores-context.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';

export function ToolReview() {
  const stores = useStores();
  const pins = useStore(stores.catalog, (s) => s.pins);
  const approveError = useStore(stores.catalog, (s) => s.approveError);
  if (pins === null) return null;
  const changed = pins.tools.filter((t) => t.changed !== null);
  const flagged = pins.tools.filter((t) => t.flags.length > 0);
  if (pins.error === null && changed.length === 0 && flagged.length === 0) return null;
  return (
    <section className="tool-review" aria-label="Review">
      <ErrorNote error={pins.error} />
      <ErrorNote error={approveError} />
      {changed.length > 0 && (
        <>
          <h3>Changed since approval</h3>
          <p className="muted">These tools are hidden from every client until you approve their new definition.</p>
          {changed.map((tool) => (
            <ChangedTool key={`${tool.server}/${tool.tool}`} tool={tool} />
          ))}
        </>
      )}
      {flagged.length > 0 && (
        <>
          <h3>Flagged descriptions</h3>
          {flagged.map((tool) => (
            <div key={`${tool.server}/${tool.tool}`} aria-label={`Flags of ${tool.server} ${tool.tool}`} role="group">
              <h4>
                {tool.server} <code>{tool.tool}</code>
              </h4>
              <ul className="plain-list">
                {tool.flags.map((flag) => (
                  <li key={`${flag.rule}/${flag.field}`} className="warning">
                    <span className="badge badge-warn">{flag.rule}</span> in <code>{flag.field}</code>:{' '}
                    <code>{flag.match}</code>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </>
      )}
    </section>
  );
}

function ChangedTool({ tool }: { tool: ToolPinView }) {
  const stores = useStores();
  const approve = useStore(stores.catalog, (s) => s.approve);
  return (
    <div role="group" aria-label={`Change of ${tool.server} ${tool.tool}`}>
      <h4>
        {tool.server} <code>{tool.tool}</code>{' '}
        <button type="button" onClick={() => void approve(tool.server, tool.tool)}>
          Approve
        </button>
      </h4>
      <table className="definition-diff">
        <thead>
          <tr>
            <th scope="col">Where</th>
            <th scope="col">Approved</th>
            <th scope="col">Now</th>
          </tr>
        </thead>
        <tbody>
          {tool.changed!.diff.map((change) => (
            <tr key={change.path}>
              <td>
                <code>{change.path}</code>
              </td>
              <td>
                {change.before === undefined ? <span className="muted">(absent)</span> : <code>{change.before}</code>}
              </td>
              <td>
                {change.after === undefined ? <span className="muted">(removed)</span> : <code>{change.after}</code>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
