// What a tool call answered, as a developer debugging a server wants it: refused or failed and why, each content
// item as itself (text as text, images as images), the structured content, and the raw result.
import { useStore } from 'zustand';
import type { ToolResultView } from '../../../../preload/contract.ts';
import { useStores } from '../../app/stores-context.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { formatDuration } from '../../ui/format.ts';
import { JsonBlock } from '../../ui/json-block.tsx';

export function ToolResult({ tool }: { tool: string }) {
  const stores = useStores();
  const mine = useStore(stores.tryIt, (s) => s.tool === tool);
  const answer = useStore(stores.tryIt, (s) => s.answer);
  const sent = useStore(stores.tryIt, (s) => s.sent);
  if (!mine || answer === null) return null;
  return (
    <section className="tool-result" aria-label="Result" aria-live="polite">
      {!answer.ok ? (
        <>
          <h5>Call refused</h5>
          <ErrorNote error={answer.error} />
          {answer.problems !== undefined && answer.problems.length > 0 && (
            <ul className="problems">
              {answer.problems.map((p) => (
                <li key={`${p.path}:${p.message}`}>
                  {p.path === '' ? '' : `${p.path}: `}
                  {p.message}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : (
        <ResultBody result={answer.value} />
      )}
      {sent !== null && (
        <details>
          <summary>Arguments sent</summary>
          <JsonBlock value={sent} label="Arguments sent" />
        </details>
      )}
    </section>
  );
}

function ResultBody({ result }: { result: ToolResultView }) {
  return (
    <>
      <h5>
        <span className={result.isError ? 'badge badge-error' : 'badge badge-ok'}>
          {result.isError ? 'Tool error (isError: true)' : 'OK'}
        </span>{' '}
        <span className="muted">in {formatDuration(result.durationMs)}</span>
      </h5>
      {result.content.length === 0 && <p className="muted">No content.</p>}
      {result.content.map((item, index) => (
        <ContentItem key={index} item={item} index={index} />
      ))}
      {result.structuredContent !== undefined && (
        <>
          <h6>Structured content</h6>
          <JsonBlock value={result.structuredContent} label="Structured content" />
        </>
      )}
      <details>
        <summary>Raw result</summary>
        <JsonBlock value={result} label="Raw result" />
      </details>
    </>
  );
}

function ContentItem({ item, index }: { item: Readonly<Record<string, unknown>>; index: number }) {
  const type = typeof item['type'] === 'string' ? item['type'] : 'unknown';
  const label = `Content ${index + 1} (${type})`;
  if (type === 'text' && typeof item['text'] === 'string') {
    return (
      <figure className="content-item">
        <figcaption>{label}</figcaption>
        <pre className={`content-text${item['text'].length > 0 ? '' : ' muted'}`} aria-label={label} tabIndex={0}>
          {item['text'] || '(empty text)'}
        </pre>
      </figure>
    );
  }
  if (type === 'image' && typeof item['data'] === 'string' && typeof item['mimeType'] === 'string') {
    return (
      <figure className="content-item">
        <figcaption>{label}</figcaption>
        <img src={`data:${item['mimeType']};base64,${item['data']}`} alt={label} className="content-image" />
      </figure>
    );
  }
  return (
    <figure className="content-item">
      <figcaption>{label}</figcaption>
      <JsonBlock value={item} label={label} />
    </figure>
  );
}
