// First run: which detected clients have MCP servers Switchboard could import (`importPreview` for each installed
// client), and the import itself. A preview names secrets and never carries their values.
import { createStore, type StoreApi } from 'zustand';
import type { Answer, ControlApi, ControlOutput, IdeClientView, ImportPreviewView } from '../../../preload/contract.ts';

export interface ImportCandidate {
  readonly client: IdeClientView;
  readonly preview: ImportPreviewView;
}

export type ImportResult = ControlOutput<'importApply'>;

export interface ImportState {
  /** Clients with at least one server to import; null until looked for. */
  readonly candidates: readonly ImportCandidate[] | null;
  readonly error: string | null;
  /** The import just made, kept until dismissed: the page goes on to offer connecting its client. */
  readonly finished: { readonly client: IdeClientView; readonly result: ImportResult } | null;
  /** Looks at every installed client's servers. */
  scan(): Promise<void>;
  apply(client: IdeClientView, only: readonly string[], replace: boolean): Promise<Answer<ImportResult>>;
  dismissed(): void;
}

export function createImportStore(api: ControlApi): StoreApi<ImportState> {
  return createStore<ImportState>()((set) => ({
    candidates: null,
    error: null,
    scan: async () => {
      const listed = await api.ideClients({});
      if (!listed.ok) {
        set({ candidates: [], error: listed.error });
        return;
      }
      const installed = listed.value.clients.filter((c) => c.state !== 'not-installed');
      const previews = await Promise.all(
        installed.map(async (client) => ({ client, answer: await api.importPreview({ id: client.id }) })),
      );
      const candidates: ImportCandidate[] = [];
      for (const { client, answer } of previews) {
        if (answer.ok && answer.value.servers.length > 0) candidates.push({ client, preview: answer.value });
      }
      // A client whose file cannot be read is not offered; the Clients page says why.
      set({ candidates, error: null });
    },
    finished: null,
    apply: async (client, only, replace) => {
      const answer = await api.importApply({ id: client.id, only, replace });
      if (answer.ok) set({ finished: { client, result: answer.value } });
      return answer;
    },
    dismissed: () => set({ finished: null }),
  }));
}
