// What every server offers (`catalog`), re-read when a server's lists change (`catalog` events, which come in
// bursts as servers start), and which tool the Tools page has open.
import { createStore, type StoreApi } from 'zustand';
import type { CatalogView, ControlApi } from '../../../preload/contract.ts';

export interface CatalogState {
  readonly catalog: CatalogView | null;
  readonly error: string | null;
  /** The open tool's name, as a client calls it. */
  readonly selected: string | null;
  refresh(): Promise<void>;
  catalogChanged(): void;
  select(tool: string | null): void;
  dispose(): void;
}

const SETTLE_MS = 200;

export function createCatalogStore(api: ControlApi): StoreApi<CatalogState> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return createStore<CatalogState>()((set, get) => ({
    catalog: null,
    error: null,
    selected: null,
    refresh: async () => {
      const answer = await api.catalog({});
      if (answer.ok) set({ catalog: answer.value, error: null });
      else set({ error: answer.error });
    },
    catalogChanged: () => {
      if (get().catalog === null && get().error === null) return;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        void get().refresh();
      }, SETTLE_MS);
    },
    select: (selected) => set({ selected }),
    dispose: () => {
      if (timer !== null) clearTimeout(timer);
    },
  }));
}
