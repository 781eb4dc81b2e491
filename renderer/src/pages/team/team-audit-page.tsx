// Team audit: every member's records, newest first, with the desktop history's filters plus the member; older
// records a page at a time.
import { useState } from 'react';
import { useStore } from 'zustand';
import type { TeamAuditRecordView } from '../../../../preload/team-contract.ts';
import { useTeamStores } from '../../app/team-stores-context.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { FilterForm, useReloadOnFilters } from '../../ui/filter-form.tsx';
import { formatDuration, formatTime } from '../../ui/format.ts';
import { Page } from '../../ui/page.tsx';
import { outcomeClass } from '../calls/outcomes.ts';
import { TeamRecord } from './team-record.tsx';

const FIELDS = [
  ['member', 'Member'],
  ['server', 'Server'],
  ['tool', 'Tool'],
  ['client', 'Client'],
  ['text', 'Search'],
] as const;

const COLUMNS = ['Time', 'Member', 'Server', 'Target', 'Client', 'Outcome', 'Latency', 'Error'];

export function TeamAuditPage() {
  const stores = useTeamStores();
  const filters = useStore(stores.audit, (s) => s.filters);
  const setFilters = useStore(stores.audit, (s) => s.setFilters);
  const reload = useStore(stores.audit, (s) => s.reload);
  const loadOlder = useStore(stores.audit, (s) => s.loadOlder);
  const rows = useStore(stores.audit, (s) => s.rows);
  const next = useStore(stores.audit, (s) => s.next);
  const loaded = useStore(stores.audit, (s) => s.loaded);
  const loading = useStore(stores.audit, (s) => s.loading);
  const error = useStore(stores.audit, (s) => s.error);
  // The record open beside the table; its row's data is all it needs, so nothing more is read.
  const [open, setOpen] = useState<TeamAuditRecordView | null>(null);
  useReloadOnFilters(filters, reload);

  return (
    <Page title="Team audit" actions={loading && <span className="muted">Reading…</span>}>
      <FilterForm label="Filter team records" fields={FIELDS} filters={filters} onChange={setFilters} />
      <ErrorNote error={error} />
      {loaded && rows.length === 0 && error === null ? (
        <EmptyState title="No records match">
          <p>
            Members' desktops send their audit records here once the team policy names this server's{' '}
            <code>/audit/ingest</code>. Widen the time range or clear a filter.
          </p>
        </EmptyState>
      ) : (
        <DataTable label="Team records" columns={COLUMNS}>
          {rows.map((r) => (
            <tr
              key={r.uid}
              tabIndex={0}
              aria-selected={r.uid === open?.uid}
              onClick={() => setOpen(r)}
              onKeyDown={(event) => {
                if (event.key === 'Enter') setOpen(r);
              }}
            >
              <td className="mono">{formatTime(r.ts)}</td>
              <td>{r.member}</td>
              <td>{r.server ?? '—'}</td>
              <td className="mono">{r.target ?? r.method ?? r.kind}</td>
              <td>{r.client ?? '—'}</td>
              <td>
                <span className={outcomeClass(r.outcome)}>{r.outcome}</span>
              </td>
              <td className="num">{formatDuration(r.durationMs)}</td>
              <td className="error-text">{r.error ?? ''}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {next !== null && (
        <button type="button" disabled={loading} onClick={() => void loadOlder()}>
          Load older records
        </button>
      )}
      {open !== null && <TeamRecord record={open} onClose={() => setOpen(null)} />}
    </Page>
  );
}
