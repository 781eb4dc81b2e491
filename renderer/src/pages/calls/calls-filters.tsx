// The Calls page's filters. Each change is kept in the store at once; the page re-reads after a short pause.
import { useStore } from 'zustand';
import { useStores } from '../../app/stores-context.tsx';
import type { CallFilters } from '../../stores/calls-store.ts';
import { OUTCOMES } from './outcomes.ts';

const TIME_RANGES: readonly { readonly minutes: number; readonly label: string }[] = [
  { minutes: 0, label: 'Any time' },
  { minutes: 15, label: 'Last 15 minutes' },
  { minutes: 60, label: 'Last hour' },
  { minutes: 1440, label: 'Last 24 hours' },
  { minutes: 10080, label: 'Last 7 days' },
];

export function CallsFilters() {
  const stores = useStores();
  const filters = useStore(stores.calls, (s) => s.filters);
  const setFilters = useStore(stores.calls, (s) => s.setFilters);
  const text = (key: keyof Pick<CallFilters, 'server' | 'tool' | 'client' | 'text'>, label: string) => (
    <label className="filter">
      <span>{label}</span>
      <input
        type={key === 'text' ? 'search' : 'text'}
        value={filters[key]}
        spellCheck={false}
        onChange={(event) => setFilters({ [key]: event.target.value })}
      />
    </label>
  );
  return (
    <form className="filters" aria-label="Filter calls" role="search" onSubmit={(event) => event.preventDefault()}>
      {text('server', 'Server')}
      {text('tool', 'Tool')}
      {text('client', 'Client')}
      <label className="filter">
        <span>Outcome</span>
        <select value={filters.outcome} onChange={(event) => setFilters({ outcome: event.target.value })}>
          <option value="">Any</option>
          {OUTCOMES.map((outcome) => (
            <option key={outcome} value={outcome}>
              {outcome}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>Time</span>
        <select value={filters.minutes} onChange={(event) => setFilters({ minutes: Number(event.target.value) })}>
          {TIME_RANGES.map((range) => (
            <option key={range.minutes} value={range.minutes}>
              {range.label}
            </option>
          ))}
        </select>
      </label>
      {text('text', 'Search')}
    </form>
  );
}
