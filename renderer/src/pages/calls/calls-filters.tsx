// The Calls page's filters. Each change is kept in the store at once; the page re-reads after a short pause.
import { useStore } from 'zustand';
import { useStores } from '../../app/stores-context.tsx';
import { FilterForm } from '../../ui/filter-form.tsx';

const FIELDS = [
  ['server', 'Server'],
  ['tool', 'Tool'],
  ['client', 'Client'],
  ['text', 'Search'],
] as const;

export function CallsFilters() {
  const stores = useStores();
  const filters = useStore(stores.calls, (s) => s.filters);
  const setFilters = useStore(stores.calls, (s) => s.setFilters);
  return <FilterForm label="Filter calls" fields={FIELDS} filters={filters} onChange={setFilters} />;
}
