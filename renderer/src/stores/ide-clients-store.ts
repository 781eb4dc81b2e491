// The IDE clients of this machine (`ideClients`) and what was last done to each: connect, disconnect, check. A
// token a URL connection returns is handed to the caller and never kept here: the page shows it once and drops it.
import { createStore, type StoreApi } from 'zustand';
import type { Answer, ConnectView, ControlApi, DoctorView, IdeClientView } from '../../../preload/contract.ts';

/** What the last action on one client came to, shown in its row. */
export type ClientOutcome =
  | { readonly kind: 'connected'; readonly result: Omit<ConnectView, 'token'> }
  | { readonly kind: 'disconnected'; readonly file: string; readonly removed: boolean; readonly revoked: boolean }
  | { readonly kind: 'checked'; readonly doctor: DoctorView }
  | { readonly kind: 'failed'; readonly action: string; readonly error: string };

export interface IdeClientsState {
  readonly clients: readonly IdeClientView[] | null;
  readonly error: string | null;
  /** The client an action is under way for, by id. */
  readonly busy: Readonly<Record<string, boolean>>;
  readonly outcomes: Readonly<Record<string, ClientOutcome>>;
  refresh(): Promise<void>;
  /** Connects (or repairs) a client; the answer, token included, goes to the caller only. */
  connect(id: string, url: boolean): Promise<Answer<ConnectView>>;
  disconnect(id: string): Promise<void>;
  check(id: string): Promise<void>;
  dismissed(id: string): void;
}

export function createIdeClientsStore(api: ControlApi): StoreApi<IdeClientsState> {
  return createStore<IdeClientsState>()((set, get) => {
    const working = (id: string, on: boolean) => set({ busy: { ...get().busy, [id]: on } });
    const settled = (id: string, outcome: ClientOutcome) =>
      set({ busy: { ...get().busy, [id]: false }, outcomes: { ...get().outcomes, [id]: outcome } });
    return {
      clients: null,
      error: null,
      busy: {},
      outcomes: {},
      refresh: async () => {
        const answer = await api.ideClients({});
        if (answer.ok) set({ clients: answer.value.clients, error: null });
        else set({ error: answer.error });
      },
      connect: async (id, url) => {
        working(id, true);
        const answer = await api.connectClient(url ? { id, url: true } : { id });
        if (answer.ok) {
          const { token: _token, ...result } = answer.value;
          settled(id, { kind: 'connected', result });
        } else settled(id, { kind: 'failed', action: 'Connect', error: answer.error });
        await get().refresh();
        return answer;
      },
      disconnect: async (id) => {
        working(id, true);
        const answer = await api.disconnectClient({ id });
        settled(
          id,
          answer.ok
            ? { kind: 'disconnected', ...answer.value }
            : { kind: 'failed', action: 'Disconnect', error: answer.error },
        );
        await get().refresh();
      },
      check: async (id) => {
        working(id, true);
        const answer = await api.doctorClient({ id });
        settled(
          id,
          answer.ok
            ? { kind: 'checked', doctor: answer.value }
            : { kind: 'failed', action: 'Check', error: answer.error },
        );
      },
      dismissed: (id) => {
        const outcomes = { ...get().outcomes };
        delete outcomes[id];
        set({ outcomes });
      },
    };
  });
}
