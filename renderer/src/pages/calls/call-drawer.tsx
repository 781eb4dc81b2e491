// One audit record whole, beside the table: arguments, result or error with its stack, timing and sizes, the
// policy decision, and who asked over which session and protocol. Escape closes it and focus returns to the row.
import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { AuditDetailView } from '../../../../preload/contract.ts';
import { useStores } from '../../app/stores-context.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { formatBytes, formatDuration, formatTime, prettyJson } from '../../ui/format.ts';
import { JsonBlock } from '../../ui/json-block.tsx';
import { RecordFacts } from '../../ui/record-facts.tsx';
import { outcomeClass } from './outcomes.ts';

export function CallDrawer({ onClose }: { onClose: () => void }) {
  const stores = useStores();
  const detail = useStore(stores.calls, (s) => s.detail);
  const closeRef = useRef<HTMLButtonElement>(null);
  const open = detail !== null;

  useEffect(() => {
    if (!open) return;
    closeRef.current?.focus();
    // Escape closes the drawer wherever the focus is, in it or back on the table.
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, onClose]);

  if (detail === null) return null;
  return (
    <aside className="drawer" role="dialog" aria-label="Call details">
      <header className="panel-header">
        <h3>Call {detail.id}</h3>
        <button type="button" ref={closeRef} onClick={onClose}>
          Close
        </button>
      </header>
      {detail.state === 'loading' && <p className="muted">Reading the record…</p>}
      {detail.state === 'error' && <ErrorNote error={detail.error} />}
      {detail.state === 'ready' && <RecordDetail record={detail.record} />}
    </aside>
  );
}

function RecordDetail({ record }: { record: AuditDetailView }) {
  const rows: readonly [string, string][] = [
    ['Time', formatTime(record.ts)],
    ['Kind', record.kind],
    ['Method', record.method ?? '—'],
    ['Server', record.server ?? '—'],
    ['Target', record.target ?? '—'],
    ['Latency', formatDuration(record.durationMs)],
    ['Request size', formatBytes(record.requestBytes)],
    ['Response size', formatBytes(record.responseBytes)],
    ['Decision', record.decision ?? '—'],
    ['Rule', record.rule ?? '—'],
    ['Client', record.client ?? '—'],
    // Only a shared gateway's records name whom a call was made for.
    ...(record.member === undefined || record.member === null ? [] : [['Member', record.member] as [string, string]]),
    ['Session', record.sessionId ?? '—'],
    ['Protocol', record.protocolVersion ?? '—'],
  ];
  return (
    <div className="drawer-body">
      <p>
        <span className={outcomeClass(record.outcome)}>{record.outcome}</span>
      </p>
      <RecordFacts facts={rows} args={record.arguments} error={record.error} />
      {record.errorDetail !== null && (
        <>
          <h4>Error detail</h4>
          <JsonBlock value={prettyJson(record.errorDetail)} label="Error detail" />
        </>
      )}
      {record.detail !== null && (
        <>
          <h4>Detail</h4>
          <JsonBlock value={record.detail} label="Detail" />
        </>
      )}
    </div>
  );
}
