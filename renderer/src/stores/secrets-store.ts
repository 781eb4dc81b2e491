// Secret names and their metadata from `secrets`; values go in through `setSecret` and never come back.
import { createStore, type StoreApi } from 'zustand';
import type { Answer, ControlApi, SecretsView } from '../../../preload/contract.ts';

export interface SecretsState {
  readonly view: SecretsView | null;
  readonly error: string | null;
  /** What removing a secret failed with, by name. */
  readonly rowErrors: Readonly<Record<string, string>>;
  refresh(): Promise<void>;
  save(name: string, value: string, expires: string | undefined): Promise<Answer<null>>;
  remove(name: string): Promise<void>;
}

export function createSecretsStore(api: ControlApi): StoreApi<SecretsState> {
  return createStore<SecretsState>()((set, get) => ({
    view: null,
    error: null,
    rowErrors: {},
    refresh: async () => {
      const answer = await api.secrets({});
      if (answer.ok) set({ view: answer.value, error: null });
      else set({ error: answer.error });
    },
    save: async (name, value, expires) => {
      const answer = await api.setSecret(expires === undefined ? { name, value } : { name, value, expires });
      if (answer.ok) await get().refresh();
      return answer;
    },
    remove: async (name) => {
      const answer = await api.removeSecret({ name });
      const rowErrors = { ...get().rowErrors };
      if (answer.ok) delete rowErrors[name];
      else rowErrors[name] = answer.error;
      set({ rowErrors });
      await get().refresh();
    },
  }));
}
