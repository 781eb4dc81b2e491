// The one contract between the dashboard and the core: what the UI may ask and command, and the shapes it gets
// back. Served over Electron IPC (contextBridge) in the app and over HTTP on 127.0.0.1 by `switchboard serve`;
// the renderer imports types from here only. Plain data: no secret value ever appears in these shapes.

export type ServerStateName = 'stopped' | 'starting' | 'running' | 'degraded' | 'backoff' | 'failed' | 'blocked';

export interface ServerView {
  readonly name: string;
  readonly transport: string;
  readonly enabled: boolean;
  /** The supervisor's state with what is true in it (since, pid, last exit, reason, message). */
  readonly state: { readonly state: ServerStateName } & Readonly<Record<string, unknown>>;
  readonly pid: number | null;
  readonly isolation: string;
  readonly instances: number;
  /** The protocol era spoken to the server while connected: `legacy` (initialize) or `modern` (2026-07-28). */
  readonly era: 'legacy' | 'modern' | null;
}

export interface StatusView {
  readonly version: string;
  readonly gatewayUrl: string;
  readonly startedAt: string;
  readonly sessions: number;
  readonly servers: readonly ServerView[];
  readonly secrets: readonly { readonly name: string; readonly expiry: { readonly state: string } }[];
  readonly audit: { readonly failure: string | null; readonly dropped: number };
}

export type ServerAction = 'start' | 'stop' | 'restart';

export interface AuditQueryView {
  readonly client?: string;
  readonly server?: string;
  readonly tool?: string;
  readonly outcome?: string;
  readonly text?: string;
  readonly since?: number;
  readonly until?: number;
  readonly before?: number;
  readonly limit?: number;
}

export interface AuditRecordView {
  readonly id: number;
  readonly ts: number;
  readonly kind: string;
  readonly method: string | null;
  readonly outcome: string;
  readonly client: string | null;
  readonly server: string | null;
  readonly target: string | null;
  readonly durationMs: number | null;
  readonly error: string | null;
}

export interface AuditPageView {
  readonly events: readonly AuditRecordView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  readonly next: number | null;
}

/** An answer, or why not: the UI shows `error` where the action was taken. */
export type Answer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface ControlApi {
  status(): Promise<Answer<StatusView>>;
  serverAction(name: string, action: ServerAction): Promise<Answer<null>>;
  audit(query: AuditQueryView): Promise<Answer<AuditPageView>>;
}

/** The HTTP form of the contract, under the dashboard's origin. State-changing calls are POSTs. */
export const HTTP_ROUTES = {
  status: { method: 'GET', path: '/api/status' },
  serverAction: { method: 'POST', path: '/api/servers/:name/:action' },
  audit: { method: 'GET', path: '/api/audit' },
} as const;

/** What the core pushes to an open dashboard, in order, as it happens. */
export type ControlEvent =
  | { readonly type: 'server-state'; readonly server: string; readonly state: ServerView['state'] }
  | { readonly type: 'audit'; readonly record: Omit<AuditRecordView, 'id' | 'durationMs' | 'error'> };

/** The event stream: a WebSocket under the dashboard's origin, one JSON `ControlEvent` per message. */
export const EVENTS_PATH = '/api/events';

/** A state-changing request must carry this header: a cross-site form cannot, and a script needs our origin to. */
export const CSRF_HEADER = 'x-switchboard-request';
