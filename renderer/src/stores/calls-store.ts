// The audit history the Calls page shows: pages of 200 read newest first with a `before` cursor as the table
// scrolls, the filters, and the record open in the drawer. An `audit` event carries no id, so on events the
// newest page is re-read (at most once per DEBOUNCE_MS) and what is new is put on top.
import { createStore, type StoreApi } from 'zustand';
import type { AuditDetailView, AuditQueryView, AuditRecordView, ControlApi } from '../../../preload/contract.ts';
import { historyQuery } from './history-query.ts';

const PAGE_SIZE = 200;
const DEBOUNCE_MS = 150;

export interface CallFilters {
  readonly server: string;
  readonly tool: string;
  readonly client: string;
  /** An outcome, or '' for any. */
  readonly outcome: string;
  /** Minutes back from now, or 0 for all time. */
  readonly minutes: number;
  readonly text: string;
}

export const NO_FILTERS: CallFilters = { server: '', tool: '', client: '', outcome: '', minutes: 0, text: '' };

export type CallDetail =
  | { readonly id: number; readonly state: 'loading' }
  | { readonly id: number; readonly state: 'ready'; readonly record: AuditDetailView }
  | { readonly id: number; readonly state: 'error'; readonly error: string };

export interface CallsState {
  readonly rows: readonly AuditRecordView[];
  /** The cursor of the next older page; null when the oldest record is loaded. */
  readonly next: number | null;
  readonly loaded: boolean;
  readonly loading: boolean;
  readonly error: string | null;
  readonly filters: CallFilters;
  readonly detail: CallDetail | null;
  setFilters(change: Partial<CallFilters>): void;
  reload(): Promise<void>;
  loadOlder(): Promise<void>;
  recorded(): void;
  openDetail(id: number): Promise<void>;
  closeDetail(): void;
  dispose(): void;
}

function queryOf(filters: CallFilters, now: number): AuditQueryView {
  return historyQuery(filters, ['server', 'tool', 'client', 'outcome', 'text'], now, PAGE_SIZE);
}

export function createCallsStore(api: ControlApi, now: () => number = Date.now): StoreApi<CallsState> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  // Each reload starts a generation; answers of an older one (filters since changed) are dropped.
  let generation = 0;
  let older: Promise<void> | null = null;

  return createStore<CallsState>()((set, get) => {
    async function readNewest(): Promise<void> {
      const mine = generation;
      const answer = await api.audit(queryOf(get().filters, now()));
      if (mine !== generation || !answer.ok) return;
      const { rows } = get();
      const top = rows[0]?.id ?? 0;
      const fresh = answer.value.events.filter((record) => record.id > top);
      if (fresh.length === 0) return;
      if (fresh.length === answer.value.events.length && answer.value.next !== null) {
        // More arrived than a page holds: start over from the newest rather than leave a hole.
        set({ rows: answer.value.events, next: answer.value.next });
      } else {
        set({ rows: [...fresh, ...rows] });
      }
    }

    return {
      rows: [],
      next: null,
      loaded: false,
      loading: false,
      error: null,
      filters: NO_FILTERS,
      detail: null,
      setFilters: (change) => set({ filters: { ...get().filters, ...change } }),
      reload: async () => {
        const mine = ++generation;
        older = null;
        set({ loading: true, error: null });
        const answer = await api.audit(queryOf(get().filters, now()));
        if (mine !== generation) return;
        if (answer.ok) {
          set({ rows: answer.value.events, next: answer.value.next, loaded: true, loading: false });
        } else {
          set({ rows: [], next: null, loaded: true, loading: false, error: answer.error });
        }
      },
      loadOlder: () => {
        const { next } = get();
        if (next === null || get().loading) return Promise.resolve();
        if (older !== null) return older;
        const mine = generation;
        const run = (async () => {
          const answer = await api.audit({ ...queryOf(get().filters, now()), before: next });
          if (mine !== generation) return;
          older = null;
          if (answer.ok) set({ rows: [...get().rows, ...answer.value.events], next: answer.value.next });
          else set({ error: answer.error });
        })();
        older = run;
        return run;
      },
      recorded: () => {
        if (!get().loaded || timer !== null) return;
        timer = setTimeout(() => {
          timer = null;
          void readNewest();
        }, DEBOUNCE_MS);
      },
      openDetail: async (id) => {
        set({ detail: { id, state: 'loading' } });
        const answer = await api.auditRecord({ id });
        if (get().detail?.id !== id) return;
        set({
          detail: answer.ok
            ? { id, state: 'ready', record: answer.value }
            : { id, state: 'error', error: answer.error },
        });
      },
      closeDetail: () => set({ detail: null }),
      dispose: () => {
        if (timer !== null) clearTimeout(timer);
      },
    };
  });
}
