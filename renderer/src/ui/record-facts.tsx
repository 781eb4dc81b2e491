// An audit record's facts, its arguments and its error, as the desktop's call drawer and the team's record view
// both show them.
import { prettyJson } from './format.ts';
import { JsonBlock } from './json-block.tsx';

export function RecordFacts({
  facts,
  args,
  error,
}: {
  facts: readonly (readonly [string, string])[];
  /** The arguments as recorded (JSON text, masked and capped), or null. */
  args: string | null;
  error: string | null;
}) {
  return (
    <>
      <dl className="facts">
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h4>Arguments</h4>
      {args === null ? (
        <p className="muted">None recorded.</p>
      ) : (
        <JsonBlock value={prettyJson(args)} label="Arguments" />
      )}
      {error !== null && (
        <>
          <h4>Error</h4>
          <p className="error-text">{error}</p>
        </>
      )}
    </>
  );
}
