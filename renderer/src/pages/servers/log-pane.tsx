// One server's log: the last lines of its stderr, then each new line as the server writes it. The view stays at
// the bottom while it is there, and holds still while the person reads further up.
import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import { useStores } from '../../app/stores-context.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';

export function LogPane() {
  const stores = useStores();
  const server = useStore(stores.logs, (s) => s.server);
  const lines = useStore(stores.logs, (s) => s.lines);
  const error = useStore(stores.logs, (s) => s.error);
  const loading = useStore(stores.logs, (s) => s.loading);
  const close = useStore(stores.logs, (s) => s.close);
  const preRef = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);

  useEffect(() => {
    const pre = preRef.current;
    if (pre !== null && pinned.current) pre.scrollTop = pre.scrollHeight;
  }, [lines]);

  if (server === null) return null;
  return (
    <section
      className="panel log-pane"
      aria-label={`Logs of ${server}`}
      onKeyDown={(event) => {
        if (event.key === 'Escape') close();
      }}
    >
      <header className="panel-header">
        <h3>Logs of {server}</h3>
        <button type="button" onClick={close}>
          Close logs
        </button>
      </header>
      <ErrorNote error={error} />
      <pre
        ref={preRef}
        className="log"
        role="log"
        aria-label={`${server} log`}
        tabIndex={0}
        onScroll={(event) => {
          const pre = event.currentTarget;
          pinned.current = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
        }}
      >
        {loading && lines.length === 0
          ? 'Reading the log…'
          : lines.length === 0
            ? 'No lines logged yet.'
            : lines.join('\n')}
      </pre>
    </section>
  );
}
