// The team dashboard's calls: what a team server's admin sees of every member's audit trail, activity and policy.
// Types only, like contract.ts (whose transport rules it follows: `POST /api/<method>`, a JSON body, the CSRF
// header, an `Answer`); the team server answers them (main/team-server/team-api.ts) and the renderer's team mode
// asks them. The desktop's control calls are not served by a team server, nor these by a desktop.
import type { Answer, AuditQueryView, AuditRecordView } from './contract.ts';

/** The desktop history's filters, plus whose records; pages follow an opaque cursor rather than ids. */
export interface TeamAuditQueryView extends Omit<AuditQueryView, 'before'> {
  readonly member?: string;
  /** An install id: one member's desktop (or shared gateway). */
  readonly install?: string;
  /** The `next` of the previous page: records older than its last. */
  readonly cursor?: string;
}

/** A record as the desktop's history lists it, plus whose it is and its arguments and policy decision. */
export interface TeamAuditRecordView extends Omit<AuditRecordView, 'id'> {
  /** `<install>:<id>:<hash>`, unique across the team. */
  readonly uid: string;
  readonly member: string;
  readonly install: string;
  /** The record's id in its install's own trail. */
  readonly localId: number;
  /** Masked and size-capped on the desktop before it was sent. */
  readonly arguments: string | null;
  readonly decision: string | null;
  readonly rule: string | null;
}

export interface TeamAuditPageView {
  /** Newest first. */
  readonly records: readonly TeamAuditRecordView[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  readonly next: string | null;
}

export interface TeamActivityQueryView {
  /** Milliseconds since the epoch; the range is inclusive. */
  readonly since: number;
  /** Now when absent. */
  readonly until?: number;
}

/** Requests (`kind: request`) in the range; errors are those whose outcome is not `ok`. */
export interface TeamActivityRowView {
  readonly calls: number;
  readonly errors: number;
  /** The newest record of any kind in the range, ms since the epoch. */
  readonly lastSeen: number;
}

export interface TeamActivityView {
  readonly since: number;
  readonly until: number;
  /** Busiest first. */
  readonly members: readonly (TeamActivityRowView & { readonly member: string })[];
  readonly servers: readonly (TeamActivityRowView & { readonly server: string })[];
}

export interface TeamPolicyVersionView {
  readonly version: number;
  readonly sha256: string;
  /** ISO 8601. */
  readonly issuedAt: string | null;
  readonly expiresAt: string;
  readonly publishedAt: string;
  /** Installs whose newest records say they enforce this version. */
  readonly installs: number;
}

export interface TeamInstallView {
  readonly install: string;
  readonly member: string;
  readonly host: string;
  readonly appVersion: string;
  /** The newest team policy version its records say it enforced; null before any. */
  readonly policyVersion: number | null;
  /** ISO 8601: when it last sent records. */
  readonly lastSeen: string;
  /** Gaps and restarts in its chain, as received (see docs/audit.md). */
  readonly chainBreaks: number;
}

export interface TeamPolicyStatusView {
  /** Newest first. */
  readonly versions: readonly TeamPolicyVersionView[];
  /** Most recently seen first. */
  readonly installs: readonly TeamInstallView[];
}

export interface TeamCalls {
  teamAudit: { input: TeamAuditQueryView; output: TeamAuditPageView };
  teamActivity: { input: TeamActivityQueryView; output: TeamActivityView };
  teamPolicy: { input: Record<string, never>; output: TeamPolicyStatusView };
}

export type TeamMethod = keyof TeamCalls;

export type TeamApi = {
  readonly [M in TeamMethod]: (input: TeamCalls[M]['input']) => Promise<Answer<TeamCalls[M]['output']>>;
};

/** The calls, as data the server's router and the renderer's client both walk. */
export const TEAM_METHODS: readonly TeamMethod[] = ['teamAudit', 'teamActivity', 'teamPolicy'];

/**
 * How the page knows a team server served it: the team server adds this `<meta name=… content="team">` to the
 * page it serves; a desktop's page has none. No request is needed to decide, and a desktop's serve is unchanged.
 */
export const DASHBOARD_MODE_META = 'switchboard-mode';
