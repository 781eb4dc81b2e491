// The Metrics page's query (how far back, which server) and the one-minute rollups it answered.
import { createStore, type StoreApi } from 'zustand';
import type { ControlApi, MetricsView } from '../../../preload/contract.ts';

export const RANGES: readonly { readonly minutes: number; readonly label: string }[] = [
  { minutes: 60, label: 'Last hour' },
  { minutes: 360, label: 'Last 6 hours' },
  { minutes: 1440, label: 'Last 24 hours' },
  { minutes: 10080, label: 'Last 7 days' },
];

export interface MetricsState {
  readonly minutes: number;
  /** A server's name, or '' for all. */
  readonly server: string;
  readonly view: MetricsView | null;
  readonly error: string | null;
  readonly loading: boolean;
  choose(change: { minutes?: number; server?: string }): void;
  refresh(): Promise<void>;
}

export function createMetricsStore(api: ControlApi): StoreApi<MetricsState> {
  let asked = 0;
  return createStore<MetricsState>()((set, get) => ({
    minutes: 60,
    server: '',
    view: null,
    error: null,
    loading: false,
    choose: (change) => {
      set(change);
      void get().refresh();
    },
    refresh: async () => {
      const mine = ++asked;
      const { minutes, server } = get();
      set({ loading: true });
      const answer = await api.metrics(server === '' ? { minutes } : { minutes, server });
      if (mine !== asked) return;
      if (answer.ok) set({ view: answer.value, error: null, loading: false });
      else set({ error: answer.error, loading: false });
    },
  }));
}
