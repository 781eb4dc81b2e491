// The team dashboard's stores, made per app for one TeamApi: the team's audit history (filters, cursor pages),
// activity over a chosen range, and policy versions per install. A team server pushes no events: pages re-read
// when opened, when a filter changes, or when asked.
import { createStore, type StoreApi } from 'zustand';
import type {
  TeamActivityView,
  TeamApi,
  TeamAuditQueryView,
  TeamAuditRecordView,
  TeamPolicyStatusView,
} from '../../../preload/team-contract.ts';
import { historyQuery } from './history-query.ts';
import { createQueryStore, type QueryState } from './query-store.ts';

const PAGE_SIZE = 100;

export interface TeamAuditFilters {
  readonly member: string;
  readonly server: string;
  readonly tool: string;
  readonly client: string;
  readonly outcome: string;
  readonly minutes: number;
  readonly text: string;
}

export const NO_TEAM_FILTERS: TeamAuditFilters = {
  member: '',
  server: '',
  tool: '',
  client: '',
  outcome: '',
  minutes: 0,
  text: '',
};

export interface TeamAuditState {
  readonly rows: readonly TeamAuditRecordView[];
  /** The cursor of the next older page; null when the oldest matching record is loaded. */
  readonly next: string | null;
  readonly loaded: boolean;
  readonly loading: boolean;
  readonly error: string | null;
  readonly filters: TeamAuditFilters;
  setFilters(change: Partial<TeamAuditFilters>): void;
  reload(): Promise<void>;
  loadOlder(): Promise<void>;
}

function queryOf(filters: TeamAuditFilters, now: number): TeamAuditQueryView {
  return historyQuery(filters, ['member', 'server', 'tool', 'client', 'outcome', 'text'], now, PAGE_SIZE);
}

function createTeamAuditStore(api: TeamApi, now: () => number): StoreApi<TeamAuditState> {
  // Each reload starts a generation; answers of an older one (filters since changed) are dropped.
  let generation = 0;
  // The `since` of the first page, kept for the older pages so a relative range does not slide under them.
  let query: TeamAuditQueryView = {};
  return createStore<TeamAuditState>()((set, get) => ({
    rows: [],
    next: null,
    loaded: false,
    loading: false,
    error: null,
    filters: NO_TEAM_FILTERS,
    setFilters: (change) => set({ filters: { ...get().filters, ...change } }),
    reload: async () => {
      const mine = ++generation;
      query = queryOf(get().filters, now());
      set({ loading: true, error: null });
      const answer = await api.teamAudit(query);
      if (mine !== generation) return;
      if (answer.ok) set({ rows: answer.value.records, next: answer.value.next, loaded: true, loading: false });
      else set({ rows: [], next: null, loaded: true, loading: false, error: answer.error });
    },
    loadOlder: async () => {
      const { next, loading } = get();
      if (next === null || loading) return;
      const mine = generation;
      set({ loading: true });
      const answer = await api.teamAudit({ ...query, cursor: next });
      if (mine !== generation) return;
      if (answer.ok) {
        set({ rows: [...get().rows, ...answer.value.records], next: answer.value.next, loading: false });
      } else {
        set({ loading: false, error: answer.error });
      }
    },
  }));
}

export interface ActivityRangeState {
  /** Activity is read for this many minutes back from now. */
  readonly minutes: number;
  setMinutes(minutes: number): void;
}

export interface TeamStores {
  readonly audit: StoreApi<TeamAuditState>;
  readonly activityRange: StoreApi<ActivityRangeState>;
  readonly activity: StoreApi<QueryState<TeamActivityView>>;
  readonly policy: StoreApi<QueryState<TeamPolicyStatusView>>;
}

export function createTeamStores(api: TeamApi, now: () => number = Date.now): TeamStores {
  const activityRange = createStore<ActivityRangeState>()((set) => ({
    minutes: 1440,
    setMinutes: (minutes) => set({ minutes }),
  }));
  return {
    audit: createTeamAuditStore(api, now),
    activityRange,
    activity: createQueryStore(() => api.teamActivity({ since: now() - activityRange.getState().minutes * 60_000 })),
    policy: createQueryStore(() => api.teamPolicy({})),
  };
}
