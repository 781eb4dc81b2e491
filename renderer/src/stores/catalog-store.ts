// What every server offers (`catalog`) and the tools' pins and flags (`toolPins`), re-read when a server's lists
// change (`catalog` events, which come in bursts as servers start), and which tool the Tools page has open.
import { createStore, type StoreApi } from 'zustand';
import type { CatalogView, ControlApi, ToolPinsView } from '../../../preload/contract.ts';

export interface CatalogState {
  readonly catalog: CatalogView | null;
  readonly error: string | null;
  /** The open tool's name, as a client calls it. */
  readonly selected: string | null;
  /** Pins with changes awaiting approval, and description-scan flags. */
  readonly pins: ToolPinsView | null;
  /** Why the last approval failed, shown beside the review. */
  readonly approveError: string | null;
  refresh(): Promise<void>;
  /** Approves a tool's changed definition; the lists are read again. */
  approve(server: string, tool: string): Promise<void>;
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
    pins: null,
    approveError: null,
    refresh: async () => {
      const [answer, pins] = await Promise.all([api.catalog({}), api.toolPins({})]);
      if (answer.ok) set({ catalog: answer.value, error: null });
      else set({ error: answer.error });
      set({ pins: pins.ok ? pins.value : { error: pins.error, tools: [] } });
    },
    approve: async (server, tool) => {
      const answer = await api.approveTools({ server, tools: [tool] });
      set({ approveError: answer.ok ? null : answer.error });
      await get().refresh();
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
