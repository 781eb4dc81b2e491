// The servers and their states: read from `status`, kept current by `server-state` events, acted on by the
// row buttons. A state event carries the state only, so the counters (restarts, tools, usage) are re-read soon
// after one.
import { createStore, type StoreApi } from 'zustand';
import type {
  Answer,
  ControlApi,
  ServerAction,
  ServerApprovalView,
  ServerInputView,
  ServerView,
} from '../../../preload/contract.ts';

/** The add/edit form, the review of a command waiting for approval, or none. */
export type ServerPanel =
  | { readonly mode: 'add' }
  | { readonly mode: 'edit'; readonly name: string }
  | { readonly mode: 'approve'; readonly name: string }
  | null;

export interface ServersState {
  readonly servers: readonly ServerView[] | null;
  readonly error: string | null;
  /** What an action on a row failed with, by server. */
  readonly rowErrors: Readonly<Record<string, string>>;
  /** The action under way on a row, by server. */
  readonly busy: Readonly<Record<string, ServerAction | 'remove' | 'sign-in'>>;
  /** The authorization page a sign-in under way waits at, by server (for when no browser opened). */
  readonly signInPages: Readonly<Record<string, string>>;
  readonly panel: ServerPanel;
  refresh(): Promise<void>;
  stateChanged(server: string, state: ServerView['state']): void;
  act(name: string, action: ServerAction): Promise<void>;
  remove(name: string): Promise<void>;
  /** Signs in to a remote server that asks for OAuth: the page opens in this machine's browser. */
  signIn(name: string): Promise<void>;
  signInPage(name: string, url: string): void;
  openPanel(panel: ServerPanel): void;
  /** A server's config as the form edits it. */
  loadConfig(name: string): Promise<Answer<ServerInputView>>;
  /** Adds (`replace: false`) or replaces a server; on success the form closes and the list is re-read. */
  save(name: string, server: ServerInputView, replace: boolean): Promise<Answer<null>>;
  /** A command as it would be approved (T77). */
  loadApproval(name: string): Promise<Answer<ServerApprovalView>>;
  /** Approves exactly the command shown (its fingerprint), or declines it; on success the review closes. */
  decide(name: string, decision: { approve: string } | 'decline'): Promise<Answer<null>>;
  dispose(): void;
}

const RECOUNT_MS = 300;

export function createServersStore(api: ControlApi): StoreApi<ServersState> {
  let recount: ReturnType<typeof setTimeout> | null = null;

  return createStore<ServersState>()((set, get) => {
    const rowDone = (name: string, error: string | null): void => {
      const busy = { ...get().busy };
      delete busy[name];
      const rowErrors = { ...get().rowErrors };
      if (error === null) delete rowErrors[name];
      else rowErrors[name] = error;
      set({ busy, rowErrors });
    };

    return {
      servers: null,
      error: null,
      rowErrors: {},
      busy: {},
      signInPages: {},
      panel: null,
      refresh: async () => {
        const answer = await api.status({});
        if (answer.ok) set({ servers: answer.value.servers, error: null });
        else set({ error: answer.error });
      },
      stateChanged: (server, state) => {
        const servers = get().servers;
        if (servers !== null) {
          set({ servers: servers.map((s) => (s.name === server ? { ...s, state } : s)) });
        }
        if (recount !== null) clearTimeout(recount);
        recount = setTimeout(() => {
          recount = null;
          void get().refresh();
        }, RECOUNT_MS);
      },
      act: async (name, action) => {
        set({ busy: { ...get().busy, [name]: action } });
        const answer = await api.serverAction({ name, action });
        rowDone(name, answer.ok ? null : answer.error);
        await get().refresh();
      },
      remove: async (name) => {
        set({ busy: { ...get().busy, [name]: 'remove' } });
        const answer = await api.removeServer({ name });
        rowDone(name, answer.ok ? null : answer.error);
        await get().refresh();
      },
      signIn: async (name) => {
        set({ busy: { ...get().busy, [name]: 'sign-in' } });
        const answer = await api.signIn({ name });
        const { [name]: _done, ...pages } = get().signInPages;
        set({ signInPages: pages });
        rowDone(name, answer.ok ? null : answer.error);
        await get().refresh();
      },
      signInPage: (name, url) => set({ signInPages: { ...get().signInPages, [name]: url } }),
      openPanel: (panel) => set({ panel }),
      loadConfig: (name) => api.serverConfig({ name }),
      save: async (name, server, replace) => {
        const answer = await api.saveServer({ name, server, replace });
        if (answer.ok) {
          set({ panel: null });
          await get().refresh();
        }
        return answer;
      },
      loadApproval: (name) => api.serverApproval({ name }),
      decide: async (name, decision) => {
        const answer =
          decision === 'decline'
            ? await api.declineServer({ name })
            : await api.approveServer({ name, fingerprint: decision.approve });
        if (answer.ok) {
          set({ panel: null });
          await get().refresh();
        }
        return answer;
      },
      dispose: () => {
        if (recount !== null) clearTimeout(recount);
      },
    };
  });
}
