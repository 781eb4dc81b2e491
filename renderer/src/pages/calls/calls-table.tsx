// The audit history as a table that stays fast at 100k+ rows: only the rows in view (and a few around them) are
// in the DOM, and older pages are read as the view nears the end of what is loaded. Rows are focusable; Enter or
// a click opens the record, arrow keys move between rows.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { AuditRecordView } from '../../../../preload/contract.ts';
import { useStores } from '../../app/stores-context.tsx';
import { formatDuration, formatTime } from '../../ui/format.ts';
import { outcomeClass } from './outcomes.ts';

const ROW_HEIGHT = 32;
/** How close to the end of the loaded rows the view may come before the next page is read. */
const PREFETCH_ROWS = 60;

const HEADERS = ['Time', 'Method', 'Server', 'Target', 'Client', 'Outcome', 'Latency', 'Error'];

export function CallsTable({ onOpen }: { onOpen: (id: number, row: HTMLElement) => void }) {
  const stores = useStores();
  const rows = useStore(stores.calls, (s) => s.rows);
  const next = useStore(stores.calls, (s) => s.next);
  const loadOlder = useStore(stores.calls, (s) => s.loadOlder);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (next !== null && lastIndex >= rows.length - PREFETCH_ROWS) void loadOlder();
  }, [lastIndex, rows.length, next, loadOlder]);

  // New calls go on top; a person reading further down keeps the rows in view where they were.
  const topId = useRef<number | null>(null);
  useLayoutEffect(() => {
    const previous = topId.current;
    topId.current = rows[0]?.id ?? null;
    const scroll = scrollRef.current;
    if (previous === null || scroll === null || scroll.scrollTop === 0) return;
    const added = rows.findIndex((record) => record.id === previous);
    if (added > 0) scroll.scrollTop += added * ROW_HEIGHT;
  }, [rows]);

  const focusRow = (index: number) => {
    if (index < 0 || index >= rows.length) return;
    virtualizer.scrollToIndex(index, { align: 'auto' });
    requestAnimationFrame(() => {
      scrollRef.current?.querySelector<HTMLElement>(`[data-index="${index}"]`)?.focus();
    });
  };

  return (
    <div className="calls-table" role="table" aria-label="Calls" aria-rowcount={next === null ? rows.length + 1 : -1}>
      <div role="rowgroup" className="calls-head">
        <div role="row" className="calls-row" aria-rowindex={1}>
          {HEADERS.map((header) => (
            <span key={header} role="columnheader">
              {header}
            </span>
          ))}
        </div>
      </div>
      <div ref={scrollRef} className="calls-scroll" role="rowgroup" data-testid="calls-scroll">
        <div role="presentation" className="calls-sizer" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const record = rows[item.index];
            if (record === undefined) return null;
            return (
              <CallRow
                key={record.id}
                record={record}
                index={item.index}
                top={item.start}
                onOpen={onOpen}
                onMove={(delta) => focusRow(item.index + delta)}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

function CallRow({
  record,
  index,
  top,
  onOpen,
  onMove,
}: {
  record: AuditRecordView;
  index: number;
  top: number;
  onOpen: (id: number, row: HTMLElement) => void;
  onMove: (delta: number) => void;
}) {
  return (
    <div
      role="row"
      className="calls-row"
      tabIndex={0}
      data-index={index}
      aria-rowindex={index + 2}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={(event) => onOpen(record.id, event.currentTarget)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onOpen(record.id, event.currentTarget);
        } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
          event.preventDefault();
          onMove(event.key === 'ArrowDown' ? 1 : -1);
        }
      }}
    >
      <span role="cell" className="mono">
        {formatTime(record.ts)}
      </span>
      <span role="cell">{record.method ?? record.kind}</span>
      <span role="cell">{record.server ?? '—'}</span>
      <span role="cell" className="mono">
        {record.target ?? '—'}
      </span>
      <span role="cell">{record.client ?? '—'}</span>
      <span role="cell">
        <span className={outcomeClass(record.outcome)}>{record.outcome}</span>
      </span>
      <span role="cell" className="num">
        {formatDuration(record.durationMs)}
      </span>
      <span role="cell" className="error-text" title={record.error ?? undefined}>
        {record.error ?? ''}
      </span>
    </div>
  );
}
