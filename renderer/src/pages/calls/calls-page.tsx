// Calls: the audit history, newest first, filtered; new records appear as they are recorded.
import { useCallback, useRef } from 'react';
import { useStore } from 'zustand';
import { useStores } from '../../app/stores-context.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { NO_FILTERS } from '../../stores/calls-store.ts';
import { CallDrawer } from './call-drawer.tsx';
import { CallsFilters } from './calls-filters.tsx';
import { CallsTable } from './calls-table.tsx';
import { Page } from '../../ui/page.tsx';
import { useReloadOnFilters } from '../../ui/filter-form.tsx';

export function CallsPage() {
  const stores = useStores();
  const filters = useStore(stores.calls, (s) => s.filters);
  const reload = useStore(stores.calls, (s) => s.reload);
  const loaded = useStore(stores.calls, (s) => s.loaded);
  const loading = useStore(stores.calls, (s) => s.loading);
  const empty = useStore(stores.calls, (s) => s.rows.length === 0);
  const error = useStore(stores.calls, (s) => s.error);
  const openDetail = useStore(stores.calls, (s) => s.openDetail);
  const closeDetail = useStore(stores.calls, (s) => s.closeDetail);
  const opener = useRef<HTMLElement | null>(null);
  useReloadOnFilters(filters, reload);

  const onClose = useCallback(() => {
    closeDetail();
    opener.current?.focus();
  }, [closeDetail]);

  const filtered = filters !== NO_FILTERS && Object.values(filters).some((v) => v !== '' && v !== 0);

  return (
    <Page title="Calls" className="calls-page" actions={loading && <span className="muted">Reading…</span>}>
      <CallsFilters />
      <ErrorNote error={error} />
      {loaded && empty && error === null ? (
        filtered ? (
          <EmptyState title="No calls match">
            <p>Nothing recorded matches these filters. Widen the time range or clear a filter.</p>
          </EmptyState>
        ) : (
          <EmptyState title="No calls yet">
            <p>
              Every tool call through the gateway is recorded here as it happens. Connect an MCP client (see{' '}
              <a href="#/clients">how to connect one</a>) or <a href="#/tools">try a tool</a> from the dashboard.
            </p>
          </EmptyState>
        )
      ) : (
        <CallsTable
          onOpen={(id, row) => {
            opener.current = row;
            void openDetail(id);
          }}
        />
      )}
      <CallDrawer onClose={onClose} />
    </Page>
  );
}
