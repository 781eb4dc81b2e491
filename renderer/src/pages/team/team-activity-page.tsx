// Team activity: requests, errors and when each member and each server was last seen, over a chosen range.
import { useEffect } from 'react';
import { useStore } from 'zustand';
import type { TeamActivityRowView } from '../../../../preload/team-contract.ts';
import { useTeamStores } from '../../app/team-stores-context.tsx';
import { NO_TEAM_FILTERS } from '../../stores/team-stores.ts';
import { DataTable } from '../../ui/data-table.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { formatTime } from '../../ui/format.ts';
import { Page } from '../../ui/page.tsx';

const RANGES: readonly { readonly minutes: number; readonly label: string }[] = [
  { minutes: 60, label: 'Last hour' },
  { minutes: 1440, label: 'Last 24 hours' },
  { minutes: 10080, label: 'Last 7 days' },
  { minutes: 43200, label: 'Last 30 days' },
];

function errorRate(row: TeamActivityRowView): string {
  return row.calls === 0 ? '—' : `${((row.errors / row.calls) * 100).toFixed(1)}%`;
}

function ActivityTable({
  label,
  rows,
  onPick,
}: {
  label: string;
  rows: readonly (TeamActivityRowView & { readonly name: string })[];
  onPick?: (name: string) => void;
}) {
  return (
    <section aria-label={label}>
      <h3>{label}</h3>
      <DataTable label={label} columns={['Name', 'Calls', 'Errors', 'Error rate', 'Last seen']}>
        {rows.map((row) => (
          <tr key={row.name}>
            <th scope="row">
              {onPick === undefined ? (
                row.name
              ) : (
                <a href="#/audit" onClick={() => onPick(row.name)}>
                  {row.name}
                </a>
              )}
            </th>
            <td className="num">{row.calls.toLocaleString('en')}</td>
            <td className="num">{row.errors.toLocaleString('en')}</td>
            <td className="num">{errorRate(row)}</td>
            <td className="mono">{formatTime(row.lastSeen)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

export function TeamActivityPage() {
  const stores = useTeamStores();
  const minutes = useStore(stores.activityRange, (s) => s.minutes);
  const setMinutes = useStore(stores.activityRange, (s) => s.setMinutes);
  const view = useStore(stores.activity, (s) => s.value);
  const error = useStore(stores.activity, (s) => s.error);
  const refresh = useStore(stores.activity, (s) => s.refresh);
  // Picking a member shows all of their records: the other filters are cleared so none hides them.
  const showMember = (member: string) => stores.audit.getState().setFilters({ ...NO_TEAM_FILTERS, member });

  useEffect(() => {
    void refresh();
  }, [minutes, refresh]);

  return (
    <Page
      title="Activity"
      actions={
        <label className="filter">
          <span>Range</span>
          <select value={minutes} onChange={(event) => setMinutes(Number(event.target.value))}>
            {RANGES.map((range) => (
              <option key={range.minutes} value={range.minutes}>
                {range.label}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <ErrorNote error={error} />
      {view !== null && view.members.length === 0 && (
        <EmptyState title="No activity in this range">
          <p>No member's records in this range have reached the team server. Choose a longer range.</p>
        </EmptyState>
      )}
      {view !== null && view.members.length > 0 && (
        <>
          <ActivityTable
            label="Members"
            rows={view.members.map((m) => ({ ...m, name: m.member }))}
            onPick={showMember}
          />
          <ActivityTable label="Servers" rows={view.servers.map((s) => ({ ...s, name: s.server }))} />
        </>
      )}
    </Page>
  );
}
