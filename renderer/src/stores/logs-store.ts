// One server's log pane: the tail read from `logs`, then each `log` event for that server as it comes.
import { createStore, type StoreApi } from 'zustand';
import type { ControlApi } from '../../../preload/contract.ts';

const LOG_LINES = 500;
/** Lines kept in the pane; older ones scroll away (the file keeps them: `switchboard logs NAME`). */
const LOG_KEEP = 2_000;

export interface LogsState {
  readonly server: string | null;
  readonly lines: readonly string[];
  readonly error: string | null;
  readonly loading: boolean;
  open(server: string): Promise<void>;
  close(): void;
  lineLogged(server: string, line: string): void;
}

export function createLogsStore(api: ControlApi): StoreApi<LogsState> {
  return createStore<LogsState>()((set, get) => ({
    server: null,
    lines: [],
    error: null,
    loading: false,
    open: async (server) => {
      set({ server, lines: [], error: null, loading: true });
      // Lines logged while the tail is read arrive as events too; they are kept after the tail.
      const answer = await api.logs({ name: server, lines: LOG_LINES });
      if (get().server !== server) return;
      if (answer.ok) set({ lines: [...answer.value.lines, ...get().lines].slice(-LOG_KEEP), loading: false });
      else set({ error: answer.error, loading: false });
    },
    close: () => set({ server: null, lines: [], error: null, loading: false }),
    lineLogged: (server, line) => {
      if (get().server !== server) return;
      set({ lines: [...get().lines, line].slice(-LOG_KEEP) });
    },
  }));
}
