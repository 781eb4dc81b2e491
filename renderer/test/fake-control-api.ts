// An in-memory stand-in for the core behind the contract, for component tests only: it answers each call from
// plain data the test sets up, records what it was asked, and pushes events when told. The real core, over both
// transports, is tested end to end elsewhere (test/e2e, and the dashboard's Chromium test).
import type {
  Answer,
  AuditUploadView,
  AuditDetailView,
  AuditRecordView,
  CatalogView,
  ClientsView,
  ControlApi,
  ControlEvent,
  ControlInput,
  ControlMethod,
  ControlOutput,
  DoctorView,
  IdeClientView,
  ImportPreviewView,
  MetricsView,
  PolicyView,
  SecretView,
  ServerApprovalView,
  ServerInputView,
  ServerView,
  SettingsView,
  ToolPinsView,
  ToolResultView,
} from '../../preload/contract.ts';
import { Listeners, type ConnectionState, type DashboardClient } from '../src/api/dashboard-client.ts';

/** The audit upload with no endpoint set. */
export const UPLOAD_OFF: AuditUploadView = {
  state: 'off',
  target: null,
  source: null,
  pending: 0,
  lastUploadAt: null,
  lastError: null,
  retryAt: null,
  failures: 0,
};

export interface Asked {
  readonly method: ControlMethod;
  readonly input: unknown;
}

export function serverView(name: string, state: ServerView['state'], extra: Partial<ServerView> = {}): ServerView {
  return {
    name,
    transport: 'stdio',
    enabled: true,
    state,
    pid: null,
    isolation: 'shared',
    instances: 1,
    era: 'legacy',
    restarts: 0,
    tools: 0,
    start: 'always',
    lastStartMs: null,
    slowStart: false,
    usage: null,
    ...extra,
  };
}

export function auditRecord(id: number, extra: Partial<AuditRecordView> = {}): AuditRecordView {
  return {
    id,
    ts: 1_790_000_000_000 + id * 1000,
    kind: 'request',
    method: 'tools/call',
    outcome: 'ok',
    client: 'my-ide',
    server: 'everything',
    target: `everything__tool_${id}`,
    durationMs: 12,
    error: null,
    ...extra,
  };
}

type Handler<M extends ControlMethod> = (input: ControlInput<M>) => Answer<ControlOutput<M>>;

export class FakeCore {
  servers: ServerView[] = [];
  configs = new Map<string, ServerInputView>();
  catalog: CatalogView = { servers: [] };
  /** Newest last, as the log grows; `audit` answers newest first. */
  records: AuditRecordView[] = [];
  details = new Map<number, AuditDetailView>();
  logLines = new Map<string, string[]>();
  metricsView: MetricsView = { points: [] };
  secretList: SecretView[] = [];
  /** The vault: what `setSecret` stored. Never part of an answer, as in the core. */
  readonly vault = new Map<string, string>();
  clientsView: ClientsView = { tokens: [], sessions: [] };
  settingsView: SettingsView = {
    dataDir: '/home/me/.switchboard',
    gatewayUrl: 'http://127.0.0.1:7345/mcp',
    gateway: { port: 7345 },
    vault: 'keychain',
    audit: { retentionDays: 30 },
    auditUpload: UPLOAD_OFF,
  };
  toolResult: ToolResultView = { content: [{ type: 'text', text: 'ok' }], isError: false, durationMs: 3 };
  ideClientList: IdeClientView[] = [];
  /** What `importPreview` answers, by client id (none: nothing to import). */
  importPreviews = new Map<string, ImportPreviewView>();
  /**
   * Secret values as they sit in a client's config file, by secret name: an import moves them into the vault, and
   * no answer ever carries one, as in the core.
   */
  readonly clientFileSecrets = new Map<string, string>();
  /** What `doctorClient` answers, by client id (none: a passing check). */
  doctorResults = new Map<string, DoctorView>();
  policyView: PolicyView = { source: 'local', policy: {}, team: null };
  pinsView: ToolPinsView = { error: null, tools: [] };
  /** What `serverApproval` answers, by server; an approval with the shown fingerprint starts the server. */
  approvals = new Map<string, ServerApprovalView>();
  /** Every call, in order. */
  readonly asked: Asked[] = [];
  readonly #overrides = new Map<ControlMethod, (input: unknown) => Answer<unknown>>();

  /** Answers `method` with `handler` from now on. */
  answer<M extends ControlMethod>(method: M, handler: Handler<M>): void {
    this.#overrides.set(method, handler as (input: unknown) => Answer<unknown>);
  }

  askedFor(method: ControlMethod): unknown[] {
    return this.asked.filter((a) => a.method === method).map((a) => a.input);
  }

  readonly #handlers: { readonly [M in ControlMethod]: Handler<M> } = {
    status: () =>
      ok({
        version: '0.1.0',
        gatewayUrl: this.settingsView.gatewayUrl,
        startedAt: '2026-11-26T00:00:00.000Z',
        sessions: 0,
        servers: this.servers,
        secrets: [],
        audit: { failure: null, dropped: 0, upload: this.settingsView.auditUpload },
      }),
    serverAction: ({ name }) =>
      this.servers.some((s) => s.name === name) ? ok(null) : refuse(`no server named ${name}`),
    serverConfig: ({ name }) => {
      const config = this.configs.get(name);
      return config === undefined ? refuse(`no server named ${name}`) : ok(config);
    },
    saveServer: ({ name, server }) => {
      this.configs.set(name, server);
      if (!this.servers.some((s) => s.name === name))
        this.servers = [...this.servers, serverView(name, { state: 'starting' })];
      return ok(null);
    },
    removeServer: ({ name }) => {
      this.servers = this.servers.filter((s) => s.name !== name);
      return ok(null);
    },
    serverApproval: ({ name }) => {
      const review = this.approvals.get(name);
      return review === undefined ? refuse(`"${name}" is not a stdio server`) : ok(review);
    },
    approveServer: ({ name, fingerprint }) => {
      const review = this.approvals.get(name);
      if (review === undefined || review.fingerprint !== fingerprint) {
        return refuse(`the command of "${name}" is not the one that fingerprint approves`);
      }
      this.approvals.set(name, { ...review, approved: true });
      this.servers = this.servers.map((s) => (s.name === name ? { ...s, state: { state: 'starting' } } : s));
      return ok(null);
    },
    signIn: ({ name }) => {
      const server = this.servers.find((s) => s.name === name);
      if (server === undefined || server.transport === 'stdio') return refuse(`"${name}" is not a remote server`);
      this.servers = this.servers.map((s) => (s.name === name ? { ...s, state: { state: 'starting' } } : s));
      return ok({ signedIn: true, tools: 2 });
    },
    declineServer: ({ name }) => {
      this.servers = this.servers.map((s) =>
        s.name === name ? { ...s, enabled: false, state: { state: 'stopped' } } : s,
      );
      return ok(null);
    },
    logs: ({ name, lines }) => ok({ server: name, lines: (this.logLines.get(name) ?? []).slice(-lines) }),
    catalog: () => ok(this.catalog),
    callTool: () => ok(this.toolResult),
    audit: (query) => {
      let matching = this.records;
      if (query.tool !== undefined) matching = matching.filter((r) => r.target === query.tool);
      if (query.before !== undefined) matching = matching.filter((r) => r.id < (query.before ?? 0));
      const limit = query.limit ?? 100;
      const page = matching.slice(-limit).reverse();
      const oldest = page[page.length - 1];
      const next = oldest !== undefined && matching[0] !== undefined && oldest.id > matching[0].id ? oldest.id : null;
      return ok({ events: page, next });
    },
    auditRecord: ({ id }) => {
      const record = this.details.get(id) ?? this.records.find((r) => r.id === id);
      if (record === undefined) return refuse(`no audit record ${id}`);
      return ok({
        arguments: null,
        decision: 'allow',
        rule: 'default',
        requestBytes: 100,
        responseBytes: 200,
        errorDetail: null,
        protocolVersion: '2025-11-25',
        sessionId: 'session-1',
        detail: null,
        ...record,
      });
    },
    metrics: () => ok(this.metricsView),
    secrets: () => ok({ vault: 'the OS keychain', secrets: this.secretList }),
    setSecret: ({ name, value }) => {
      this.vault.set(name, value);
      if (!this.secretList.some((s) => s.name === name)) {
        this.secretList = [...this.secretList, secretView(name)];
      }
      return ok(null);
    },
    removeSecret: ({ name }) => {
      this.vault.delete(name);
      this.secretList = this.secretList.filter((s) => s.name !== name);
      return ok(null);
    },
    clients: () => ok(this.clientsView),
    ideClients: () => ok({ clients: this.ideClientList }),
    connectClient: ({ id, url }) => {
      const client = this.ideClientList.find((c) => c.id === id);
      if (client === undefined) return refuse(`no client named ${id}`);
      this.#setClient({ ...client, state: 'connected', entry: url === true ? 'url' : 'stdio' });
      return ok({
        file: client.file,
        changed: true,
        backup: `${client.file}.switchboard-backup`,
        ...(url === true ? { token: `sbt_${id}_0123456789abcdefghijklmnopqrstuv` } : {}),
        reload: `Restart ${client.label} to load the new entry.`,
      });
    },
    disconnectClient: ({ id }) => {
      const client = this.ideClientList.find((c) => c.id === id);
      if (client === undefined) return refuse(`no client named ${id}`);
      const { reason: _reason, entry: _entry, ...rest } = client;
      this.#setClient({ ...rest, state: 'not-connected' });
      return ok({ file: client.file, removed: true, revoked: true });
    },
    doctorClient: ({ id }) => {
      const client = this.ideClientList.find((c) => c.id === id);
      if (client === undefined) return refuse(`no client named ${id}`);
      return ok(
        this.doctorResults.get(id) ?? {
          client: id,
          file: client.file,
          ok: true,
          checks: [{ name: 'entry', ok: true, detail: 'our entry is in the file' }],
          tools: [],
        },
      );
    },
    importPreview: ({ id }) => ok(this.importPreviews.get(id) ?? { servers: [], skipped: [] }),
    importApply: ({ id, only, replace }) => {
      const preview = this.importPreviews.get(id);
      if (preview === undefined) return refuse(`${id} has no servers to import`);
      const chosen = preview.servers.filter((s) => only === undefined || only.includes(s.source));
      for (const server of chosen) {
        this.servers = [...this.servers, serverView(server.name, { state: 'starting' })];
        for (const name of server.secrets) {
          const value = this.clientFileSecrets.get(name);
          if (value !== undefined) this.vault.set(name, value);
        }
      }
      const client = this.ideClientList.find((c) => c.id === id);
      if (replace && client !== undefined) this.#setClient({ ...client, state: 'connected', entry: 'stdio' });
      return ok({ added: chosen.map((s) => s.name), secrets: chosen.flatMap((s) => s.secrets), replaced: replace });
    },
    policy: () => ok(this.policyView),
    settings: () => ok(this.settingsView),
    toolPins: () => ok(this.pinsView),
    approveTools: ({ server, tools }) => {
      const approved = this.pinsView.tools
        .filter((t) => t.server === server && t.changed !== null && (tools === undefined || tools.includes(t.tool)))
        .map((t) => t.tool);
      this.pinsView = {
        ...this.pinsView,
        tools: this.pinsView.tools.map((t) =>
          t.server === server && approved.includes(t.tool) ? { ...t, hash: t.changed!.hash, changed: null } : t,
        ),
      };
      return ok({ approved });
    },
  };

  #setClient(client: IdeClientView): void {
    this.ideClientList = this.ideClientList.map((c) => (c.id === client.id ? client : c));
  }

  /** The contract's calls, each answered on the next turn as a real transport would. */
  readonly api: ControlApi = Object.fromEntries(
    (Object.keys(this.#handlers) as ControlMethod[]).map((method) => [
      method,
      async (input: unknown) => {
        this.asked.push({ method, input });
        await Promise.resolve();
        const handler = this.#overrides.get(method) ?? (this.#handlers[method] as (input: unknown) => Answer<unknown>);
        return structuredClone(handler(input));
      },
    ]),
  ) as unknown as ControlApi;

  readonly events = new Listeners<ControlEvent>();
  readonly connection = new Listeners<ConnectionState>();
  connectionState: ConnectionState = 'live';

  emit(event: ControlEvent): void {
    this.events.emit(event);
  }

  setConnection(state: ConnectionState): void {
    this.connectionState = state;
    this.connection.emit(state);
  }

  client(): DashboardClient {
    return {
      api: this.api,
      onEvent: (listener) => this.events.add(listener),
      onConnection: (listener) => {
        listener(this.connectionState);
        return this.connection.add(listener);
      },
      close: () => {},
    };
  }
}

export function ideClient(
  id: string,
  state: IdeClientView['state'],
  extra: Partial<IdeClientView> = {},
): IdeClientView {
  return {
    id,
    label: id.charAt(0).toUpperCase() + id.slice(1),
    scope: 'user',
    file: `/home/me/.${id}/mcp.json`,
    state,
    ...extra,
  };
}

export function secretView(name: string, extra: Partial<SecretView> = {}): SecretView {
  return {
    name,
    created: '2026-11-01T00:00:00.000Z',
    rotated: null,
    expires: null,
    lastUsed: null,
    expiry: { state: 'no-expiry' },
    usedBy: [],
    ...extra,
  };
}

function ok<T>(value: T): Answer<T> {
  return { ok: true, value };
}

function refuse<T>(error: string): Answer<T> {
  return { ok: false, error };
}
