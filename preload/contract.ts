// The one contract between the dashboard and the core: what the UI may ask and command, and the shapes it gets
// back. Served over Electron IPC (contextBridge) in the app and over HTTP + WebSocket on 127.0.0.1 by
// `switchboard serve`; the renderer takes its types from here only. Plain data: no secret value ever appears in
// an answer (a secret's value travels one way, in `setSecret`'s input).

export type ServerStateName =
  'stopped' | 'idle' | 'starting' | 'running' | 'degraded' | 'backoff' | 'failed' | 'blocked';

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
  /** Restarts after crashes or failed health checks since `serve` started. */
  readonly restarts: number;
  /** Tools the server lists now (0 while it is not running). */
  readonly tools: number;
  /** `on-demand`: started by the first request and stopped when idle; `always`: kept running. */
  readonly start: 'always' | 'on-demand';
  /** How long its last start took (ms), launch to ready; null before the first. */
  readonly lastStartMs: number | null;
  /** Its last start took more than a few seconds: worth switching to `always` if it is used often. */
  readonly slowStart: boolean;
  /** The process's CPU (percent of one core) and resident memory, sampled every few seconds; null when unknown. */
  readonly usage: { readonly cpuPercent: number; readonly rssBytes: number } | null;
}

export interface StatusView {
  readonly version: string;
  readonly gatewayUrl: string;
  readonly startedAt: string;
  readonly sessions: number;
  readonly servers: readonly ServerView[];
  readonly secrets: readonly { readonly name: string; readonly expiry: { readonly state: string } }[];
  readonly audit: { readonly failure: string | null; readonly dropped: number; readonly upload: AuditUploadView };
}

/** Where the audit upload to a team's collector stands; `off` when no endpoint is set. Never the token. */
export interface AuditUploadView {
  readonly state: 'off' | 'idle' | 'sending' | 'backoff' | 'stopped';
  readonly target: string | null;
  /** Who named the endpoint: config.json, or the team's policy (which wins). */
  readonly source: 'config' | 'team' | null;
  /** Records not yet acknowledged by the receiver. */
  readonly pending: number;
  readonly lastUploadAt: string | null;
  /** Why the last try failed, or why the upload stopped. */
  readonly lastError: string | null;
  readonly retryAt: string | null;
  readonly failures: number;
}

export type ServerAction = 'start' | 'stop' | 'restart';

/** A server as config.json holds it: what the add/edit form shows and sends. Secrets appear as `${secret:NAME}`. */
export type ServerInputView =
  | {
      readonly transport: 'stdio';
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly cwd?: string;
      readonly enabled: boolean;
      /** Absent: `always`. */
      readonly start?: 'always' | 'on-demand';
    }
  | {
      readonly transport: 'http' | 'sse';
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly enabled: boolean;
      readonly start?: 'always' | 'on-demand';
    };

/** How an audit record's request (or event) ended; the same closed set the core records. */
export const AUDIT_OUTCOMES = [
  'ok',
  /** The tool ran and reported failure (`isError: true`). */
  'tool-error',
  /** The request failed with a JSON-RPC error: the upstream's, or the gateway's own. */
  'protocol-error',
  'timeout',
  'cancelled',
  /** Refused by policy. */
  'denied',
  'unavailable',
  'unknown-tool',
  'unauthenticated',
  'throttled',
  'forbidden',
  'session-mismatch',
  /** Lifecycle and config records: what happened is in `detail`. */
  'info',
] as const;

export type AuditOutcomeName = (typeof AUDIT_OUTCOMES)[number];

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

/** One record whole, for the detail drawer: arguments are masked and size-capped as they were stored. */
export interface AuditDetailView extends AuditRecordView {
  readonly arguments: string | null;
  readonly decision: string | null;
  readonly rule: string | null;
  readonly requestBytes: number | null;
  readonly responseBytes: number | null;
  readonly errorDetail: string | null;
  readonly protocolVersion: string | null;
  readonly sessionId: string | null;
  readonly detail: Readonly<Record<string, unknown>> | null;
  /** Whom the call was made for, on a shared gateway; absent or null on a desktop. */
  readonly member?: string | null;
}

export interface AuditPageView {
  readonly events: readonly AuditRecordView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  readonly next: number | null;
}

/** What a server offers, as the gateway exposes it (names already namespaced). */
export interface CatalogView {
  readonly servers: readonly {
    readonly server: string;
    readonly tools: readonly ToolView[];
    readonly resources: readonly { readonly uri: string; readonly name: string; readonly description?: string }[];
    readonly prompts: readonly {
      readonly name: string;
      readonly description?: string;
      readonly arguments?: readonly { readonly name: string; readonly required?: boolean }[];
    }[];
    /** Why a list could not be read (the server is not running, or refused), per list. */
    readonly problems: readonly string[];
  }[];
}

export interface ToolView {
  /** The name a client calls: `<server><separator><tool>`. */
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
  readonly outputSchema?: Readonly<Record<string, unknown>>;
  readonly annotations?: Readonly<Record<string, unknown>>;
  /** What tool lint flags in the definition (docs/policy.md, "Tool lint"); absent or empty when nothing. */
  readonly lint?: readonly LintFindingView[];
  /** Its pin (T28): the approved definition's hash, and whether a different one has been seen since. */
  readonly pin?: { readonly hash: string; readonly approvedAt: string; readonly changed: boolean };
}

export interface LintFindingView {
  /** The lint rule's id, as `policy.toolQuality.block` names it. */
  readonly rule: string;
  readonly severity: 'error' | 'warning' | 'info';
  /** Where in the tool's definition, as a JSON path: `inputSchema.properties.path`. */
  readonly path: string;
  readonly message: string;
}

/** A tool's answer as a client would see it; `isError` marks a tool-level failure. */
export interface ToolResultView {
  readonly content: readonly Readonly<Record<string, unknown>>[];
  readonly structuredContent?: Readonly<Record<string, unknown>>;
  readonly isError: boolean;
  readonly durationMs: number;
}

export interface LogLinesView {
  readonly server: string;
  readonly lines: readonly string[];
}

export interface MetricsQueryView {
  /** Minutes back from now, 1 to 10,080 (7 days). */
  readonly minutes: number;
  readonly server?: string;
}

export interface MetricsView {
  /** One point per minute and server (and tool when a server is chosen), oldest first. */
  readonly points: readonly {
    readonly minute: number;
    readonly server: string;
    readonly tool: string;
    readonly calls: number;
    readonly errors: number;
    readonly p50Ms: number | null;
    readonly p95Ms: number | null;
    readonly p99Ms: number | null;
  }[];
}

export interface SecretView {
  readonly name: string;
  readonly created: string | null;
  readonly rotated: string | null;
  readonly expires: string | null;
  readonly lastUsed: string | null;
  /**
   * `no-expiry`, `valid`, `expiring` (within `days`: 7 or 1), `expired`, or `missing`: referred to by a server
   * but never set (that server is blocked).
   */
  readonly expiry:
    | { readonly state: 'no-expiry' | 'missing' }
    | { readonly state: 'valid' | 'expired'; readonly expires: string }
    | { readonly state: 'expiring'; readonly expires: string; readonly days: number };
  readonly usedBy: readonly string[];
}

export interface SecretsView {
  /** Where values are kept: the OS keychain or the encrypted file. */
  readonly vault: string;
  readonly secrets: readonly SecretView[];
}

export interface ClientsView {
  /** Client tokens: who may connect to the gateway. */
  readonly tokens: readonly {
    readonly name: string;
    readonly created: string;
    readonly expires: string | null;
    readonly revoked: boolean;
  }[];
  /** Connected MCP sessions now, by client. */
  readonly sessions: readonly { readonly client: string; readonly sessions: number }[];
}

/** An IDE client Switchboard can connect: where its MCP config lives and whether our entry is in it. */
export interface IdeClientView {
  readonly id: string;
  readonly label: string;
  readonly scope: 'user' | 'project';
  readonly file: string;
  /** `stale`: our entry is there but its token or path no longer works, or someone edited it. */
  readonly state: 'not-installed' | 'not-connected' | 'connected' | 'stale';
  readonly reason?: string;
  readonly entry?: 'stdio' | 'url';
}

export interface ConnectView {
  readonly file: string;
  readonly changed: boolean;
  readonly backup: string | null;
  /** For a URL entry only: the token to give the client once; shown once, never again. */
  readonly token?: string;
  /** What the person does next for the client to see it (restart it, reload the window). */
  readonly reload: string;
}

export interface DoctorView {
  readonly client: string;
  readonly file: string;
  readonly ok: boolean;
  readonly checks: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
  readonly tools?: readonly string[];
}

/** What an import would add: secret values found in the client's file are named, never shown. */
export interface ImportPreviewView {
  readonly servers: readonly {
    readonly source: string;
    readonly name: string;
    /** The command line or URL it runs, with secrets already replaced by references. */
    readonly runs: string;
    readonly secrets: readonly string[];
    readonly moved: readonly string[];
    readonly notes: readonly string[];
  }[];
  readonly skipped: readonly { readonly source: string; readonly reason: string }[];
}

/** The policy in force: where it comes from, and its settings and rules as written (defaults filled in). */
export interface PolicyView {
  /** `local`: config.json's `policy` alone; `team`: a team policy too, which local rules can only narrow. */
  readonly source: 'local' | 'team';
  readonly policy: Readonly<Record<string, unknown>>;
  /** The team policy when this machine is enrolled in one; null otherwise. */
  readonly team: TeamPolicyView | null;
}

/** A team policy alert: a document refused (and why), a stale feed, a refused cache, an app too old. */
export interface TeamAlertView {
  readonly reason: string;
  readonly message: string;
  readonly at: string;
  readonly version: number | null;
}

/** An approved server of the team's catalog. */
export interface CatalogServerView {
  readonly description?: string;
  readonly command?: string;
  readonly args: readonly string[];
  readonly url?: string;
  readonly packages: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
  readonly rules: readonly Readonly<Record<string, unknown>>[];
}

/** Where the team policy stands (team-policy/team-policy.ts). */
export interface TeamPolicyView {
  readonly url: string;
  readonly team: string;
  /** `pending`: nothing received yet; `refused`: the cache failed its checks; both refuse every call. */
  readonly state: 'pending' | 'active' | 'stale' | 'refused';
  /** Whether the team document is enforced, or every call is refused (pending, refused, stale with "deny"). */
  readonly enforced: 'document' | 'closed';
  readonly version: number | null;
  readonly expiresAt: string | null;
  readonly lastSync: { readonly at: string; readonly outcome: string; readonly message?: string } | null;
  readonly nextSyncAt: string | null;
  readonly failures: number;
  readonly lastAlert: TeamAlertView | null;
  /** The team document's `policy`, with its denied tools as the first rules (`team:<rule>` in audit records). */
  readonly policy: Readonly<Record<string, unknown>> | null;
  /** Local rules that allow what the team denies: they have no effect on those calls (T23). */
  readonly conflicts: readonly { readonly local: string; readonly team: string; readonly message: string }[];
  readonly settings: {
    readonly catalog: Readonly<Record<string, CatalogServerView>>;
    readonly auditRetention: { readonly retentionDays?: number; readonly maxRows?: number };
    readonly auditUploadUrl: string | null;
    readonly minAppVersion: string | null;
    /** This app is older than `minAppVersion`. */
    readonly appOutdated: boolean;
  } | null;
}

export interface SettingsView {
  readonly dataDir: string;
  readonly gatewayUrl: string;
  readonly gateway: Readonly<Record<string, unknown>>;
  readonly vault: string;
  readonly audit: Readonly<Record<string, unknown>>;
  readonly auditUpload: AuditUploadView;
}

/** A problem with one field of an input, by its path (`env.API_KEY`), so a form can show it beside the field. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/** A tool's pin (T28) and description-scan flags (T29), for review on the Tools page. */
export interface ToolPinView {
  readonly server: string;
  /** The server's own name for the tool. */
  readonly tool: string;
  /** The approved definition's hash (what a team policy's `pinnedTools` names). */
  readonly hash: string;
  readonly approvedAt: string;
  /** A definition seen since that differs: the tool is hidden until approved. Values are JSON text. */
  readonly changed: {
    readonly hash: string;
    readonly seenAt: string;
    readonly diff: readonly {
      readonly path: string;
      readonly change: 'added' | 'removed' | 'changed';
      readonly before?: string;
      readonly after?: string;
    }[];
  } | null;
  readonly flags: readonly { readonly rule: string; readonly field: string; readonly match: string }[];
}

export interface ToolPinsView {
  /** Set when tool-pins.json cannot be read: every tool is then refused until it is fixed or removed. */
  readonly error: string | null;
  readonly tools: readonly ToolPinView[];
}

/**
 * A server's command as a person approves it (T77): verbatim, with its risky parts named, and the fingerprint
 * that approves exactly this command.
 */
export interface ServerApprovalView {
  readonly name: string;
  /** `user` (typed here, needs no approval), `import`, `team` or `link`. */
  readonly origin: string;
  readonly argv: readonly string[];
  /** Names only; values may be secrets. */
  readonly env: readonly string[];
  readonly cwd: string | null;
  readonly risks: readonly { readonly where: string; readonly what: string }[];
  readonly fingerprint: string;
  readonly approved: boolean;
}

/** An answer, or why not: the UI shows `error` where the action was taken, and each problem beside its field. */
export type Answer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string; readonly problems?: readonly FieldProblem[] };

/**
 * Every call: its input and what it answers. Queries read; commands change something and so go over HTTP only
 * with the CSRF header. One table drives both transports, the validators in the core and the renderer's client.
 */
export interface ControlCalls {
  status: { input: Record<string, never>; output: StatusView; kind: 'query' };
  serverAction: { input: { name: string; action: ServerAction }; output: null; kind: 'command' };
  serverConfig: { input: { name: string }; output: ServerInputView; kind: 'query' };
  /** Adds a server (`replace: false`, refused if the name exists) or replaces one's config. */
  saveServer: { input: { name: string; server: ServerInputView; replace: boolean }; output: null; kind: 'command' };
  removeServer: { input: { name: string }; output: null; kind: 'command' };
  /** A stdio server's command as it would be approved. */
  serverApproval: { input: { name: string }; output: ServerApprovalView; kind: 'query' };
  /** Approves the command `fingerprint` names, refused if the server's command is no longer that one. */
  approveServer: { input: { name: string; fingerprint: string }; output: null; kind: 'command' };
  /**
   * Signs in to a remote server that asks for OAuth: opens the authorization page in this machine's browser (a
   * `sign-in` event carries it too) and answers once the person has signed in there, or the wait ran out.
   */
  signIn: { input: { name: string }; output: { signedIn: boolean; tools: number }; kind: 'command' };
  /** Disables the server, so a command nobody approved is never run. */
  declineServer: { input: { name: string }; output: null; kind: 'command' };
  logs: { input: { name: string; lines: number }; output: LogLinesView; kind: 'query' };
  catalog: { input: Record<string, never>; output: CatalogView; kind: 'query' };
  /** Calls a tool through the gateway as the client `dashboard`: routed, checked and audited like any other. */
  callTool: {
    input: { name: string; arguments: Readonly<Record<string, unknown>> };
    output: ToolResultView;
    kind: 'command';
  };
  audit: { input: AuditQueryView; output: AuditPageView; kind: 'query' };
  auditRecord: { input: { id: number }; output: AuditDetailView; kind: 'query' };
  metrics: { input: MetricsQueryView; output: MetricsView; kind: 'query' };
  secrets: { input: Record<string, never>; output: SecretsView; kind: 'query' };
  /** Stores a new value (or a rotated one) in the vault; the value never comes back. */
  setSecret: { input: { name: string; value: string; expires?: string }; output: null; kind: 'command' };
  removeSecret: { input: { name: string }; output: null; kind: 'command' };
  clients: { input: Record<string, never>; output: ClientsView; kind: 'query' };
  /** The IDE clients of this machine (user scope) and where each stands. */
  ideClients: { input: Record<string, never>; output: { clients: readonly IdeClientView[] }; kind: 'query' };
  /** Writes our one entry into the client's config (a new token kept in the keychain); also repairs a stale one. */
  connectClient: { input: { id: string; url?: boolean }; output: ConnectView; kind: 'command' };
  /** Removes only our entry and revokes its token. */
  disconnectClient: {
    input: { id: string };
    output: { file: string; removed: boolean; revoked: boolean };
    kind: 'command';
  };
  /** Connects exactly as the client would, and lists what it would see. */
  doctorClient: { input: { id: string }; output: DoctorView; kind: 'query' };
  importPreview: { input: { id: string }; output: ImportPreviewView; kind: 'query' };
  /** Adds the client's servers (`only` by source name, or all), secrets moved to the vault; `replace` swaps the
   * client's entries for ours. */
  importApply: {
    input: { id: string; only?: readonly string[]; replace: boolean };
    output: { added: readonly string[]; secrets: readonly string[]; replaced: boolean };
    kind: 'command';
  };
  policy: { input: Record<string, never>; output: PolicyView; kind: 'query' };
  settings: { input: Record<string, never>; output: SettingsView; kind: 'query' };
  /** Pinned tools (of one server, or all), with changed definitions' diffs and flags. */
  toolPins: { input: { server?: string }; output: ToolPinsView; kind: 'query' };
  /** Approves the changed definitions of the named tools (every changed tool of the server when none is named). */
  approveTools: {
    input: { server: string; tools?: readonly string[] };
    output: { approved: readonly string[] };
    kind: 'command';
  };
}

export type ControlMethod = keyof ControlCalls;
export type ControlInput<M extends ControlMethod> = ControlCalls[M]['input'];
export type ControlOutput<M extends ControlMethod> = ControlCalls[M]['output'];

export type ControlApi = {
  readonly [M in ControlMethod]: (input: ControlInput<M>) => Promise<Answer<ControlOutput<M>>>;
};

/** Each call's kind, as data both transports and the renderer's client can walk. */
export const CONTROL_METHODS: { readonly [M in ControlMethod]: ControlCalls[M]['kind'] } = {
  status: 'query',
  serverAction: 'command',
  serverConfig: 'query',
  saveServer: 'command',
  removeServer: 'command',
  serverApproval: 'query',
  approveServer: 'command',
  signIn: 'command',
  declineServer: 'command',
  logs: 'query',
  catalog: 'query',
  callTool: 'command',
  audit: 'query',
  auditRecord: 'query',
  metrics: 'query',
  secrets: 'query',
  setSecret: 'command',
  removeSecret: 'command',
  clients: 'query',
  ideClients: 'query',
  connectClient: 'command',
  disconnectClient: 'command',
  doctorClient: 'query',
  importPreview: 'query',
  importApply: 'command',
  policy: 'query',
  settings: 'query',
  toolPins: 'query',
  approveTools: 'command',
};

/**
 * The HTTP form: `POST /api/<method>` with the input as a JSON body, every call carrying `CSRF_HEADER: 1`. One
 * verb keeps one rule: no call, query or command, can be made by a cross-site form or image tag.
 */
export const API_PREFIX = '/api/';

/** What the core pushes to an open dashboard, in order, as it happens. */
export type ControlEvent =
  | { readonly type: 'server-state'; readonly server: string; readonly state: ServerView['state'] }
  | { readonly type: 'audit'; readonly record: Omit<AuditRecordView, 'id' | 'durationMs' | 'error'> }
  | { readonly type: 'log'; readonly server: string; readonly line: string }
  | { readonly type: 'catalog'; readonly server: string }
  /** A client name connected for the first time ever to this gateway. */
  | { readonly type: 'client-first-seen'; readonly client: string }
  /** The audit upload stopped, keeps failing, or works again after either. */
  | { readonly type: 'audit-upload'; readonly upload: AuditUploadView }
  /** The team policy changed standing or raised an alert (`alert` is the newest, null when none was raised). */
  | { readonly type: 'team-policy'; readonly state: TeamPolicyView['state']; readonly alert: TeamAlertView | null }
  /** A sign-in to a remote server waits for the person at this authorization page. */
  | { readonly type: 'sign-in'; readonly server: string; readonly url: string }
  /** A pinned tool's definition changed; the tool is hidden until approved on the Tools page (T28). */
  | { readonly type: 'tool-definition-changed'; readonly server: string; readonly tool: string };

/** The event stream: a WebSocket under the dashboard's origin, one JSON `ControlEvent` per message. */
export const EVENTS_PATH = '/api/events';

/** Every API call must carry this header: a cross-site form cannot, and a script needs our origin to. */
export const CSRF_HEADER = 'x-switchboard-request';
