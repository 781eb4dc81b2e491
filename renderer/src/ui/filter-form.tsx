// A history's filters: free-text fields, the outcome and the time range. Each change goes to `onChange` at once;
// the page re-reads after a short pause. The desktop's Calls page and the team's Audit page share it.
import { useEffect, useRef } from 'react';
import { AUDIT_OUTCOMES } from '../../../preload/contract.ts';

/** Typing in a filter re-reads after this pause, not on every key. */
const FILTER_PAUSE_MS = 250;

/** Reads at once when the page opens, then again a short pause after each change of the filters. */
export function useReloadOnFilters(filters: unknown, reload: () => Promise<void>): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      void reload();
      return;
    }
    const timer = setTimeout(() => void reload(), FILTER_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [filters, reload]);
}

export const TIME_RANGES: readonly { readonly minutes: number; readonly label: string }[] = [
  { minutes: 0, label: 'Any time' },
  { minutes: 15, label: 'Last 15 minutes' },
  { minutes: 60, label: 'Last hour' },
  { minutes: 1440, label: 'Last 24 hours' },
  { minutes: 10080, label: 'Last 7 days' },
];

export interface HistoryFilters {
  /** An outcome, or '' for any. */
  readonly outcome: string;
  /** Minutes back from now, or 0 for all time. */
  readonly minutes: number;
}

export function FilterForm<K extends string>({
  label,
  fields,
  filters,
  onChange,
}: {
  label: string;
  /** The text fields, in order: each key of `filters` and its label; `text` is the free-text search. */
  fields: readonly (readonly [K, string])[];
  filters: HistoryFilters & Readonly<Record<K, string>>;
  onChange: (change: Partial<HistoryFilters> | Partial<Record<K, string>>) => void;
}) {
  const text = ([key, name]: readonly [K, string]) => (
    <label className="filter" key={key}>
      <span>{name}</span>
      <input
        type={key === 'text' ? 'search' : 'text'}
        value={filters[key]}
        spellCheck={false}
        onChange={(event) => onChange({ [key]: event.target.value } as Partial<Record<K, string>>)}
      />
    </label>
  );
  const search = fields.filter(([key]) => key === 'text');
  return (
    <form className="filters" aria-label={label} role="search" onSubmit={(event) => event.preventDefault()}>
      {fields.filter(([key]) => key !== 'text').map(text)}
      <label className="filter">
        <span>Outcome</span>
        <select value={filters.outcome} onChange={(event) => onChange({ outcome: event.target.value })}>
          <option value="">Any</option>
          {AUDIT_OUTCOMES.map((outcome) => (
            <option key={outcome} value={outcome}>
              {outcome}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>Time</span>
        <select value={filters.minutes} onChange={(event) => onChange({ minutes: Number(event.target.value) })}>
          {TIME_RANGES.map((range) => (
            <option key={range.minutes} value={range.minutes}>
              {range.label}
            </option>
          ))}
        </select>
      </label>
      {search.map(text)}
    </form>
  );
}
