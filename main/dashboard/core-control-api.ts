// The control contract (preload/contract.ts) answered by a running core. Inputs arrive checked (control-inputs.ts);
// what goes back is plain data without secret values. Config changes go through config.json, as the CLI's do: the
// running core follows the file, so the dashboard, the CLI and a hand edit all change Switchboard the same way.
import type {
  Answer,
  AuditDetailView,
  AuditRecordView,
  CatalogView,
  ControlApi,
  ControlInput,
  ServerInputView,
  StatusView,
  TeamPolicyView,
  ToolPinsView,
  ToolResultView,
} from '../../preload/contract.ts';
import type { AuditEvent, AuditOutcome } from '../audit/audit-event.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClientServices } from '../clients/client-services.ts';
import type { ClientId } from '../clients/client-registry.ts';
import type { ImportedServer } from '../clients/import-servers.ts';
import type { Config, ConfigInput } from '../config/schema.ts';
import { approveCommand, declineCommand, reviewCommand } from '../config/server-approval.ts';
import { updateConfig } from '../config/update-config.ts';
import type { ParsedConfig } from '../config/validate-config.ts';
import type { ActionResult } from '../control/control-server.ts';
import type { TokenInfo } from '../gateway/auth/token-store.ts';
import type { Rollup } from '../metrics/rollups.ts';
import type { ApproveResult } from '../pins/tool-pins.ts';
import { expiryStanding } from '../vault/expiry.ts';
import { recordSecretRemoved, recordSecretSet, usersOf } from '../vault/secret-meta.ts';
import { SECRET_NAME_PATTERN, secretsUsedBy } from '../vault/secret-refs.ts';
import type { SecretVault } from '../vault/vault.ts';
import type { LoginOutcome } from '../oauth/interactive-login.ts';

export interface ControlledCore {
  readonly dataDir: string;
  readonly gatewayUrl: string;
  readonly audit: AuditLog;
  readonly vault: SecretVault;
  status(): StatusView;
  serverAction(name: string, action: 'start' | 'stop' | 'restart'): Promise<ActionResult>;
  /** Signs in to a remote server with a person at the browser; the server is restarted with its tokens. */
  signIn(name: string): Promise<LoginOutcome>;
  /** The config the core runs now (the last valid config.json). */
  config(): Config;
  /** The team policy when this machine is enrolled in one (team-policy/); null otherwise. */
  teamPolicy?(): TeamPolicyView | null;
  /** The server's last stderr lines, redacted; null for an unknown server. */
  logTail(name: string, lines: number): readonly string[] | null;
  catalog(): Promise<CatalogView>;
  callTool(name: string, args: Readonly<Record<string, unknown>>): Promise<Answer<ToolResultView>>;
  rollups(since: number, server?: string): readonly Rollup[];
  tokens(): readonly TokenInfo[];
  sessionsByClient(): ReadonlyMap<string, number>;
  /** The IDE client connectors, for the Clients page, first run and the tray. */
  clients(): Promise<ClientServices>;
  /** Tool pins and flags (main/pins/), of one server or all. */
  toolPins(server: string | null): ToolPinsView;
  approveTools(server: string, tools: readonly string[] | null): ApproveResult;
}

/** A call into the client connectors, whose failures are thrown with a message a person can act on. */
async function attempt<T>(work: () => Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function runs(server: ImportedServer['server']): string {
  return 'command' in server ? [server.command, ...(server.args ?? [])].join(' ') : server.url;
}

const DONE: Answer<null> = { ok: true, value: null };

function listView(e: AuditEvent): AuditRecordView {
  return {
    id: e.id,
    ts: e.ts,
    kind: e.kind,
    method: e.method,
    outcome: e.outcome,
    client: e.client,
    server: e.server,
    target: e.target,
    durationMs: e.durationMs,
    error: e.error,
  };
}

function detailView(e: AuditEvent): AuditDetailView {
  return {
    ...listView(e),
    arguments: e.arguments,
    decision: e.decision,
    rule: e.rule,
    requestBytes: e.requestBytes,
    responseBytes: e.responseBytes,
    errorDetail: e.errorDetail,
    protocolVersion: e.protocolVersion,
    sessionId: e.sessionId,
    detail: e.detail,
    member: e.member,
  };
}

/** A refused config edit, with each problem's path made relative to the form (`servers.x.command` → `command`). */
function refusedEdit(result: ParsedConfig & { ok: false }, name: string): Answer<never> {
  const prefix = `servers.${name}.`;
  const problems = result.problems.map((p) => ({
    path: p.path.startsWith(prefix) ? p.path.slice(prefix.length) : p.path === `servers.${name}` ? '' : p.path,
    message: p.message,
  }));
  const summary = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
  return { ok: false, error: summary, problems };
}

/** The form's view of a server as config.json holds it (defaults filled in, secrets still as references). */
function inputView(server: Config['servers'][string]): ServerInputView {
  if (server.transport === 'stdio') {
    return {
      transport: 'stdio',
      command: server.command,
      args: server.args,
      env: server.env,
      ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
      enabled: server.enabled,
      start: server.start,
    };
  }
  return {
    transport: server.transport,
    url: server.url,
    headers: server.headers,
    enabled: server.enabled,
    start: server.start,
  };
}

/** What the form sends, as config.json input; only what was given, so the file's other defaults stay implicit. */
function configEntry(server: ServerInputView, previous: Record<string, unknown> | undefined): Record<string, unknown> {
  // Settings the form does not show (restart policy, timeouts, isolation) are kept from the previous entry.
  const kept = { ...previous };
  for (const key of ['transport', 'command', 'args', 'env', 'cwd', 'url', 'headers', 'enabled', 'start']) {
    delete kept[key];
  }
  const start = server.start === undefined ? {} : { start: server.start };
  if (server.transport === 'stdio') {
    return {
      ...kept,
      command: server.command,
      ...(server.args.length > 0 ? { args: server.args } : {}),
      ...(Object.keys(server.env).length > 0 ? { env: server.env } : {}),
      ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
      ...(server.enabled ? {} : { enabled: false }),
      ...start,
    };
  }
  return {
    ...kept,
    ...(server.transport === 'sse' ? { transport: 'sse' } : {}),
    url: server.url,
    ...(Object.keys(server.headers).length > 0 ? { headers: server.headers } : {}),
    ...(server.enabled ? {} : { enabled: false }),
    ...start,
  };
}

export function coreControlApi(core: ControlledCore): ControlApi {
  const known = (name: string): Answer<never> | null =>
    core.config().servers[name] === undefined ? { ok: false, error: `no server named "${name}"` } : null;

  return {
    status: async () => ({ ok: true, value: core.status() }),

    serverAction: async ({ name, action }) => {
      const done = await core.serverAction(name, action);
      return done.ok ? DONE : { ok: false, error: done.error };
    },

    serverConfig: async ({ name }) => {
      const server = core.config().servers[name];
      return server === undefined
        ? { ok: false, error: `no server named "${name}"` }
        : { ok: true, value: inputView(server) };
    },

    saveServer: async ({ name, server, replace }) => {
      const result = await updateConfig(core.dataDir, (draft: ConfigInput) => {
        const previous = draft.servers?.[name] as Record<string, unknown> | undefined;
        if (!replace && previous !== undefined) return new Error(`a server named "${name}" already exists`);
        if (replace && previous === undefined) return new Error(`no server named "${name}" to change`);
        return { ...draft, servers: { ...draft.servers, [name]: configEntry(server, previous) as never } };
      });
      if (!result.ok) return refusedEdit(result, name);
      return DONE;
    },

    removeServer: async ({ name }) => {
      const result = await updateConfig(core.dataDir, (draft: ConfigInput) => {
        if (draft.servers?.[name] === undefined) return new Error(`no server named "${name}"`);
        const { [name]: _removed, ...servers } = draft.servers;
        return { ...draft, servers };
      });
      return result.ok ? DONE : refusedEdit(result, name);
    },

    serverApproval: async ({ name }) => {
      const reviewed = reviewCommand(core.config(), name);
      return reviewed.ok ? { ok: true, value: reviewed.review } : { ok: false, error: reviewed.error };
    },

    approveServer: async ({ name, fingerprint }) => {
      const result = await approveCommand(core.dataDir, name, fingerprint);
      return result.ok ? DONE : refusedEdit(result, name);
    },

    signIn: async ({ name }) => {
      const outcome = await core.signIn(name);
      return outcome.ok
        ? { ok: true, value: { signedIn: outcome.signedIn, tools: outcome.tools } }
        : { ok: false, error: outcome.error };
    },

    declineServer: async ({ name }) => {
      const result = await declineCommand(core.dataDir, name);
      return result.ok ? DONE : refusedEdit(result, name);
    },

    logs: async ({ name, lines }) => {
      const tail = core.logTail(name, lines);
      return tail === null
        ? (known(name) ?? { ok: true, value: { server: name, lines: [] } })
        : { ok: true, value: { server: name, lines: tail } };
    },

    catalog: async () => ({ ok: true, value: await core.catalog() }),

    callTool: async ({ name, arguments: args }) => core.callTool(name, args),

    audit: async (query: ControlInput<'audit'>) => {
      const page = core.audit.query({
        client: query.client,
        server: query.server,
        target: query.tool,
        outcome: query.outcome as AuditOutcome | undefined,
        text: query.text,
        since: query.since,
        until: query.until,
        before: query.before,
        limit: query.limit ?? 100,
      });
      return { ok: true, value: { next: page.next, events: page.events.map(listView) } };
    },

    auditRecord: async ({ id }) => {
      const event = core.audit.get(id);
      return event === null ? { ok: false, error: `no audit record ${id}` } : { ok: true, value: detailView(event) };
    },

    metrics: async ({ minutes, server }) => {
      const since = Date.now() - minutes * 60_000;
      const points = core.rollups(since, server).map((r) => ({
        minute: r.minute,
        server: r.server,
        tool: r.tool,
        calls: r.calls,
        errors: r.errors,
        p50Ms: r.p50Ms,
        p95Ms: r.p95Ms,
        p99Ms: r.p99Ms,
      }));
      return { ok: true, value: { points } };
    },

    secrets: async () => {
      const config = core.config();
      const now = Date.now();
      const listed = Object.entries(config.secrets).map(([name, meta]) => ({
        name,
        created: meta.created,
        rotated: meta.rotated ?? null,
        expires: meta.expires ?? null,
        lastUsed: meta.lastUsed ?? null,
        expiry: expiryStanding(meta, now),
        usedBy: usersOf(config, name),
      }));
      // A reference to a secret that was never set is worth showing: the servers using it are blocked.
      const referenced = Object.values(config.servers).flatMap(secretsUsedBy);
      const missing = [...new Set(referenced)]
        .filter((name) => config.secrets[name] === undefined)
        .map((name) => ({
          name,
          created: null,
          rotated: null,
          expires: null,
          lastUsed: null,
          expiry: { state: 'missing' as const },
          usedBy: usersOf(config, name),
        }));
      return { ok: true, value: { vault: core.vault.label, secrets: [...listed, ...missing] } };
    },

    setSecret: async ({ name, value, expires }) => {
      if (!SECRET_NAME_PATTERN.test(name)) {
        return {
          ok: false,
          error: 'name: use 1-128 characters of A-Z, a-z, 0-9, "_", "." and "-", starting with a letter or "_"',
          problems: [{ path: 'name', message: 'use A-Z, a-z, 0-9, "_", "." and "-", starting with a letter or "_"' }],
        };
      }
      const stored = await core.vault.set(name, value);
      if (!stored.ok) return { ok: false, error: stored.error.message };
      const result = await recordSecretSet(core.dataDir, name, {
        backend: core.config().vault,
        ...(expires === undefined ? {} : { expires: new Date(expires) }),
      });
      if (!result.ok) {
        const why = result.problems.map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`).join('; ');
        return {
          ok: false,
          error: `the value is stored in ${core.vault.label}, but config.json could not be updated: ${why}`,
        };
      }
      return DONE;
    },

    removeSecret: async ({ name }) => {
      const users = usersOf(core.config(), name);
      if (users.length > 0) {
        return {
          ok: false,
          error: `"${name}" is used by ${users.join(', ')}; change ${users.length === 1 ? 'that server' : 'those servers'} first`,
        };
      }
      const removed = await core.vault.delete(name);
      if (!removed.ok) return { ok: false, error: removed.error.message };
      if (core.config().secrets[name] !== undefined) {
        const result = await recordSecretRemoved(core.dataDir, name);
        if (!result.ok) return { ok: false, error: `the value is gone, but config.json could not be updated` };
      } else if (!removed.value) {
        return { ok: false, error: `there is no secret named "${name}"` };
      }
      return DONE;
    },

    clients: async () => ({
      ok: true,
      value: {
        tokens: core
          .tokens()
          .filter((t) => t.kind === 'client')
          .map((t) => ({ name: t.name, created: t.createdAt, expires: t.expiresAt, revoked: t.revokedAt !== null })),
        sessions: [...core.sessionsByClient()].map(([client, sessions]) => ({ client, sessions })),
      },
    }),

    ideClients: () =>
      attempt(async () => {
        const statuses = await (await core.clients()).connections.list();
        return {
          clients: statuses.map((c) => ({
            id: c.id,
            label: c.label,
            scope: c.scope,
            file: c.file,
            state: c.state,
            ...(c.reason === undefined ? {} : { reason: c.reason }),
            ...(c.entry === undefined ? {} : { entry: c.entry }),
          })),
        };
      }),

    connectClient: ({ id, url }) =>
      attempt(async () => {
        const done = await (await core.clients()).connections.connect(id as ClientId, { url: url === true });
        return {
          file: done.file,
          changed: done.changed,
          backup: done.backup,
          ...(done.token === undefined ? {} : { token: done.token }),
          reload: done.reload,
        };
      }),

    disconnectClient: ({ id }) =>
      attempt(async () => {
        const done = await (await core.clients()).connections.disconnect(id as ClientId);
        return { file: done.file, removed: done.removed, revoked: done.revoked };
      }),

    doctorClient: ({ id }) =>
      attempt(async () => {
        const report = await (await core.clients()).doctor.run(id as ClientId);
        return {
          client: report.client,
          file: report.file,
          ok: report.ok,
          checks: report.checks,
          ...(report.tools === undefined ? {} : { tools: report.tools }),
        };
      }),

    importPreview: ({ id }) =>
      attempt(async () => {
        const plan = await (await core.clients()).importer.preview(id as ClientId);
        return {
          // The plan holds the secret values to store; only their names leave the core.
          servers: plan.servers.map((s) => ({
            source: s.source,
            name: s.name,
            runs: runs(s.server),
            secrets: Object.keys(s.secrets),
            moved: s.moved,
            notes: s.notes,
          })),
          skipped: plan.skipped,
        };
      }),

    importApply: ({ id, only, replace }) =>
      attempt(async () => {
        const services = await core.clients();
        const plan = await services.importer.preview(id as ClientId);
        const chosen = only === undefined ? plan.servers : plan.servers.filter((s) => only.includes(s.source));
        const unknown = (only ?? []).filter((name) => !plan.servers.some((s) => s.source === name));
        if (unknown.length > 0) throw new Error(`the client has no importable server named ${unknown.join(', ')}`);
        const outcome = await services.importer.apply(id as ClientId, { ...plan, servers: chosen }, { replace });
        return { added: outcome.added, secrets: outcome.secrets, replaced: outcome.replaced !== undefined };
      }),

    toolPins: async (input) => ({ ok: true, value: core.toolPins(input.server ?? null) }),
    approveTools: async (input) => {
      const result = core.approveTools(input.server, input.tools ?? null);
      return result.ok ? { ok: true, value: { approved: result.approved } } : { ok: false, error: result.error };
    },
    policy: async () => {
      const team = core.teamPolicy?.() ?? null;
      return {
        ok: true,
        value: { source: team === null ? 'local' : 'team', policy: { ...core.config().policy }, team },
      };
    },

    settings: async () => {
      const config = core.config();
      return {
        ok: true,
        value: {
          dataDir: core.dataDir,
          gatewayUrl: core.gatewayUrl,
          gateway: { ...config.gateway },
          vault: config.vault,
          audit: { ...config.audit },
          auditUpload: core.status().audit.upload,
        },
      };
    },
  };
}
