// The composition root: builds every service from the data directory and wires them together. `serve`, the
// Electron shell and the tests all start Switchboard through here, so there is one way the parts fit.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ControlApi, ControlEvent } from '../../preload/contract.ts';
import { coreControlApi } from '../dashboard/core-control-api.ts';
import { DashboardAccess } from '../dashboard/dashboard-access.ts';
import { openClientServices, type ClientServices } from '../clients/client-services.ts';
import { catalogView } from '../dashboard/catalog-view.ts';
import { ControlEvents } from '../dashboard/control-events.ts';
import { DashboardClient } from '../dashboard/dashboard-client.ts';
import { DashboardEvents } from '../dashboard/dashboard-events.ts';
import { DashboardHttp } from '../dashboard/dashboard-http.ts';
import { RendererFiles } from '../dashboard/renderer-files.ts';
import { rmSync } from 'node:fs';
import { openAuditDb } from '../audit/audit-db.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { pruneAudit } from '../audit/audit-retention.ts';
import { ConfigStore } from '../config/config-store.ts';
import type { Config, VaultBackend } from '../config/schema.ts';
import { ControlServer, type ActionResult } from '../control/control-server.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { Aggregate } from '../gateway/aggregate/aggregate.ts';
import { CallRouter } from '../gateway/aggregate/call-router.ts';
import { ListStore } from '../gateway/aggregate/list-store.ts';
import { ToolCatalog } from '../gateway/aggregate/tool-catalog.ts';
import { CallerAuth } from '../gateway/auth/caller-auth.ts';
import { FailureThrottle } from '../gateway/auth/failure-throttle.ts';
import { DASHBOARD_CLIENT, TokenStore } from '../gateway/auth/token-store.ts';
import { GatewayServer } from '../gateway/gateway-server.ts';
import { McpEndpoint } from '../gateway/http/mcp-endpoint.ts';
import { originPolicy } from '../gateway/http/request-guards.ts';
import type { Logger } from '../log/logger.ts';
import { PolicyEngine } from '../policy/policy-engine.ts';
import { ToolPins } from '../pins/tool-pins.ts';
import { dataDirPaths, ensureDataDir } from '../paths/data-dir.ts';
import { startOrphanWatchdog, type OrphanWatchdog } from '../supervisor/orphan-watchdog.ts';
import { Supervisor } from '../supervisor/supervisor.ts';
import { redactingLogger } from '../redact/redacting-logger.ts';
import { Redactor } from '../redact/redactor.ts';
import { openVault } from '../vault/open-vault.ts';
import { renewedSecrets, serversUsing } from '../vault/secret-changes.ts';
import type { Rollups } from '../metrics/rollups.ts';
import { startCoreMetrics, type CoreMetrics } from './core-metrics.ts';
import { ClientSightings } from './client-sightings.ts';
import { IdleStopper } from './idle-stopper.ts';
import { Credentials } from './credentials.ts';
import { interactiveLogin, type LoginOutcome } from '../oauth/interactive-login.ts';
import { authorizationUrlRefusal } from '../oauth/endpoint-policy.ts';
import { openAuthorizationPage } from '../oauth/open-browser.ts';
import { auditConfigChange, auditLifecycle } from './lifecycle-audit.ts';
import { AuditUpload } from './audit-upload.ts';
import type { UploadTarget } from '../audit/upload-target.ts';
import { recordRunIntent } from './run-intent.ts';
import { SupervisedDirectory } from './supervised-directory.ts';
import { statusReport, type StatusReport } from './status-report.ts';
import { SWITCHBOARD_VERSION } from './version.ts';
import { LayeredPolicy } from '../team-policy/layered-policy.ts';
import { TeamPolicy } from '../team-policy/team-policy.ts';
import { effectiveRetention } from '../team-policy/team-settings.ts';

export interface CoreOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  /** Overrides gateway.port (0 picks a free port; tests use it). */
  readonly port?: number;
  /** Overrides the config's `vault` setting (`serve --vault file`). */
  readonly vault?: VaultBackend;
}

/** How long orphans left by a gateway that died get between SIGTERM and SIGKILL (servers' default stopGraceMs). */
const ORPHAN_GRACE_MS = 2_000;

/** How long a sign-in waits for the person's answer in the browser. */
const SIGN_IN_WAIT_MS = 5 * 60_000;

/** How often secret expiry dates are looked at while serving. */
const EXPIRY_CHECK_MS = 60 * 60 * 1000;

export type StartResult = { readonly ok: true; readonly core: Core } | { readonly ok: false; readonly error: string };

export class Core {
  readonly dataDir: string;
  readonly gatewayUrl: string;
  readonly audit: AuditLog;
  readonly supervisor: Supervisor;
  readonly tokens: TokenStore;
  readonly credentials: Credentials;
  readonly redactor: Redactor;
  /** Who may open the dashboard of this run (the token `serve` prints). */
  readonly dashboard: DashboardAccess;
  /** The dashboard's contract, answered by this core; the Electron shell serves it over IPC. */
  readonly controlApi: ControlApi;
  /** The team policy this machine is enrolled in (team-policy/), with its settings; inert when not enrolled. */
  readonly teamPolicy: TeamPolicy;
  readonly #parts: {
    config: ConfigStore;
    gateway: GatewayServer;
    control: ControlServer;
    endpoint: McpEndpoint;
    directory: SupervisedDirectory;
    router: CallRouter;
    catalog: ToolCatalog;
    drainMs: number;
    metrics: CoreMetrics;
    controlEvents: ControlEvents;
    dashboardClient: DashboardClient;
    watchdog: OrphanWatchdog | null;
    lists: ListStore;
    pins: ToolPins;
    idleStopper: IdleStopper;
    upload: AuditUpload;
  };
  readonly #logger: Logger;
  readonly #startedAt = new Date().toISOString();
  #stopping: Promise<void> | null = null;
  #expiryTimer: NodeJS.Timeout | null = null;

  private constructor(fields: {
    dataDir: string;
    gatewayUrl: string;
    audit: AuditLog;
    supervisor: Supervisor;
    tokens: TokenStore;
    credentials: Credentials;
    redactor: Redactor;
    dashboard: DashboardAccess;
    config: ConfigStore;
    gateway: GatewayServer;
    control: ControlServer;
    endpoint: McpEndpoint;
    directory: SupervisedDirectory;
    router: CallRouter;
    catalog: ToolCatalog;
    drainMs: number;
    metrics: CoreMetrics;
    controlApi: ControlApi;
    controlEvents: ControlEvents;
    dashboardClient: DashboardClient;
    watchdog: OrphanWatchdog | null;
    lists: ListStore;
    pins: ToolPins;
    idleStopper: IdleStopper;
    upload: AuditUpload;
    logger: Logger;
    teamPolicy: TeamPolicy;
  }) {
    this.dataDir = fields.dataDir;
    this.gatewayUrl = fields.gatewayUrl;
    this.audit = fields.audit;
    this.supervisor = fields.supervisor;
    this.tokens = fields.tokens;
    this.credentials = fields.credentials;
    this.redactor = fields.redactor;
    this.dashboard = fields.dashboard;
    this.#parts = {
      config: fields.config,
      gateway: fields.gateway,
      control: fields.control,
      endpoint: fields.endpoint,
      directory: fields.directory,
      router: fields.router,
      catalog: fields.catalog,
      drainMs: fields.drainMs,
      metrics: fields.metrics,
      controlEvents: fields.controlEvents,
      dashboardClient: fields.dashboardClient,
      watchdog: fields.watchdog,
      lists: fields.lists,
      pins: fields.pins,
      idleStopper: fields.idleStopper,
      upload: fields.upload,
    };
    this.controlApi = fields.controlApi;
    this.teamPolicy = fields.teamPolicy;
    this.#logger = fields.logger;
  }

  /**
   * Builds and starts a core. Every expected failure (a bad config, a port in use, an unreadable audit log) is an
   * answer naming it; an unexpected one is too, so a caller never waits on a half-built core.
   */
  static async start(options: CoreOptions): Promise<StartResult> {
    try {
      return await Core.#build(options);
    } catch (error) {
      options.logger.error('the core could not start', { error: (error as Error).message });
      return { ok: false, error: `could not start: ${(error as Error).message}` };
    }
  }

  static async #build(options: CoreOptions): Promise<StartResult> {
    const { dataDir } = options;
    // Every line the core logs passes the redactor, which learns each secret value as it is handed to a server.
    const redactor = new Redactor();
    const logger = redactingLogger(options.logger, redactor);
    const paths = dataDirPaths(dataDir);
    const dir = await ensureDataDir(dataDir);
    if (!dir.ok) return { ok: false, error: dir.message };

    const configStore = new ConfigStore({ path: paths.config, logger });
    const loaded = await configStore.load();
    if (!loaded.ok) {
      const lines = loaded.problems.map((p) => `  ${p.path || '(file)'}: ${p.message}`).join('\n');
      return { ok: false, error: `${paths.config} is not valid:\n${lines}` };
    }
    const config: Config = loaded.config;
    const gatewayConfig = { ...config.gateway, port: options.port ?? config.gateway.port };

    const db = openAuditDb(paths.audit);
    if (!db.ok) return { ok: false, error: db.error };
    let audit: AuditLog;
    try {
      audit = new AuditLog(db.db, {
        redact: (text) => redactor.redact(text),
        headPath: paths.auditHead,
        journalPath: paths.auditJournal,
        onWriteFailure: (failure) =>
          failure === null
            ? logger.info('the audit log can be written again')
            : logger.error('audit records are held back until they can be written', { error: failure }),
      });
    } catch (error) {
      db.db.close();
      return {
        ok: false,
        error: `the audit journal ${paths.auditJournal} cannot be opened: ${(error as Error).message}`,
      };
    }
    if (audit.missingAtOpen !== null) {
      logger.error('the audit log is missing its newest records; `switchboard audit verify` reports them', {
        ...audit.missingAtOpen,
      });
    }
    const tokens = new TokenStore(paths.tokens);
    const credentials = new Credentials({
      dataDir,
      vault: openVault({ backend: options.vault ?? config.vault, dataDir, env: process.env }),
      redactor,
      config: () => configStore.current,
      logger: logger.child({ part: 'credentials' }),
    });

    const directory = new SupervisedDirectory();
    const supervisor = new Supervisor({
      logDir: paths.logs,
      runDir: paths.run,
      logger: logger.child({ part: 'supervisor' }),
      onClient: directory.onClient,
      onInstanceClient: directory.onInstanceClient,
      resolveSecrets: credentials.resolve,
      oauth: (server, remote) => credentials.oauthProvider(server, remote),
      redact: { text: (text) => redactor.redact(text), message: (message) => redactor.redactJson(message) },
    });
    directory.attach(supervisor);
    directory.noticeCredentials((server) => credentials.noticeFor(server.config));
    directory.auditTo(audit);
    auditLifecycle(supervisor, audit);
    credentials.watchOAuth(() =>
      supervisor.list().flatMap((server) => {
        const expiry = server.oauthStanding;
        return expiry === null ? [] : [{ name: `oauth:${server.name}`, expiry }];
      }),
    );

    // Lists of servers' last runs: an on-demand server that is not running is listed from them.
    const lists = new ListStore({ dir: paths.lists, logger: logger.child({ part: 'list-cache' }) });
    await lists.load();
    const catalog = new ToolCatalog(directory, gatewayConfig.toolSeparator, logger.child({ part: 'catalog' }), lists);
    const pins = await ToolPins.open({
      file: paths.toolPins,
      logger: logger.child({ part: 'tool-pins' }),
      settings: () => configStore.current.policy,
      separator: gatewayConfig.toolSeparator,
    });
    pins.follow(catalog);
    // Both layers lint with the catalog, which sees each server's whole list (name collisions need it); local
    // pins are the local layer's (a team pins by hash, in its own policy).
    const engineParts = { findings: (server: string, tool: Tool) => catalog.findings(server, tool) };
    // The team policy, when enrolled, is enforced from the cache before the gateway takes its first call.
    const policy = new LayeredPolicy(
      new PolicyEngine({
        policy: config.policy,
        separator: gatewayConfig.toolSeparator,
        ...engineParts,
        definitions: pins,
      }),
      gatewayConfig.toolSeparator,
      engineParts,
    );
    const teamPolicy = new TeamPolicy({
      dataDir,
      logger: logger.child({ part: 'team-policy' }),
      audit,
      policy,
      localPolicy: () => configStore.current.policy,
      appVersion: SWITCHBOARD_VERSION,
    });
    await teamPolicy.reload();
    const router = new CallRouter(directory, catalog, audit, { listWaitMs: gatewayConfig.listWaitMs, policy });
    const aggregate = new Aggregate({
      directory,
      tools: catalog,
      router,
      logger: logger.child({ part: 'aggregate' }),
      listWaitMs: gatewayConfig.listWaitMs,
      pageSize: gatewayConfig.listPageSize,
      audit,
      store: lists,
    });
    directory.routeServerRequests(router.upstreamRequests);
    const origins = originPolicy(
      gatewayConfig.host,
      gatewayConfig.port,
      gatewayConfig.allowedOrigins,
      gatewayConfig.publicHosts,
    );
    const endpoint = new McpEndpoint({
      config: gatewayConfig,
      origins,
      tokens,
      // Local client tokens always; JWTs and team members too when gateway.auth names them (a shared gateway).
      auth: new CallerAuth({ tokens, config: gatewayConfig.auth }),
      throttle: new FailureThrottle(),
      audit,
      directory,
      catalog,
      router,
      aggregate,
      logger: logger.child({ part: 'gateway' }),
      version: SWITCHBOARD_VERSION,
    });
    const idleStopper = new IdleStopper({
      supervisor,
      logger: logger.child({ part: 'idle' }),
      holds: (server) => ({
        inFlight: router.upstreamRequests.on(server).length,
        subscriptions: aggregate.subscriptions.wantedOn(server),
        streams: endpoint.openStreamsOf(server),
        instances: supervisor.get(server)?.instances.size ?? 0,
      }),
    });
    router.upstreamRequests.watch((server) => idleStopper.touch(server));
    const coreMetrics = startCoreMetrics({
      supervisor,
      endpoint,
      inFlight: router.upstreamRequests,
      audit,
      tokens,
      logMessagesDropped: () => aggregate.logs.rate.dropped,
    });
    // The dashboard's API reaches the core once it exists; nothing can call it before the gateway listens.
    let core: Core | null = null;
    let dashboardClient: DashboardClient | null = null;
    let clientServices: Promise<ClientServices> | null = null;
    const dashboardToken = tokens.issueEphemeral(DASHBOARD_CLIENT);
    const controlEvents = new ControlEvents({ supervisor, audit, catalog, directory });
    teamPolicy.on('changed', (view, alert) =>
      controlEvents.announce({ type: 'team-policy', state: view?.state ?? 'pending', alert }),
    );
    const sightings = new ClientSightings(paths.clientsSeen, (client) =>
      controlEvents.announce({ type: 'client-first-seen', client }),
    );
    audit.subscribe((event) => sightings.observe(event));
    const upload = new AuditUpload({
      audit,
      paths,
      config,
      vault: credentials.vault,
      redactor,
      logger: logger.child({ part: 'audit-upload' }),
      version: SWITCHBOARD_VERSION,
      onAlert: (status) => controlEvents.announce({ type: 'audit-upload', upload: status }),
    });
    // The team's collector, when its policy names one, takes over from config.json's (docs/audit.md).
    upload.setTeamTarget(teamPolicy.auditUpload);
    teamPolicy.on('uploadEndpoint', (target) => upload.setTeamTarget(target));
    pins.on('definitionChanged', ({ server, tool }) =>
      controlEvents.announce({ type: 'tool-definition-changed', server, tool }),
    );
    const controlApi = coreControlApi({
      dataDir,
      get gatewayUrl() {
        return core!.gatewayUrl;
      },
      audit,
      vault: credentials.vault,
      status: () => core!.status(),
      serverAction: (name, action) => core!.serverAction(name, action),
      signIn: (name) =>
        core!.signIn(name, async (url) => {
          // Vetted before anything shows it (T68); a refused page ends the sign-in at once, naming why.
          const refused = authorizationUrlRefusal(url);
          if (refused !== null) throw new Error(refused);
          // Shown on the dashboard too, for when no browser opens (or it opens on another screen).
          controlEvents.announce({ type: 'sign-in', server: name, url });
          await openAuthorizationPage(url).catch(() => false);
        }),
      config: () => configStore.current,
      teamPolicy: () => teamPolicy.status(),
      logTail: (name, lines) => supervisor.get(name)?.stderrTail(lines) ?? null,
      catalog: () =>
        catalogView(directory, { tools: catalog, resources: aggregate.resources, prompts: aggregate.prompts }, () =>
          pins.report(null),
        ),
      callTool: (name, args) => dashboardClient!.callTool(name, args),
      rollups: (since, server) => coreMetrics.rollups.readLive(since, server),
      tokens: () => tokens.list(),
      sessionsByClient: () => endpoint.sessionsByClient(),
      toolPins: (server) => pins.report(server),
      approveTools: (server, tools) => pins.approve(server, tools),
      clients: () =>
        (clientServices ??= openClientServices({ dataDir, env: process.env, tokens, vault: credentials.vault })),
    });
    const dashboardAccess = new DashboardAccess();
    const dashboard = new DashboardHttp({
      access: dashboardAccess,
      origins,
      api: controlApi,
      files: new RendererFiles(),
    });
    const events = new DashboardEvents(dashboardAccess, origins);
    controlEvents.listen(
      (event) => events.publish(event),
      () => events.streams > 0,
    );
    const gateway = new GatewayServer({
      config: gatewayConfig,
      origins,
      endpoint,
      router,
      directory,
      logger,
      metrics: coreMetrics.route,
      dashboard,
      events,
    });
    let gatewayUrl: string;
    try {
      gatewayUrl = await gateway.listen();
    } catch (error) {
      audit.close();
      const err = error as NodeJS.ErrnoException;
      const hint =
        err.code === 'EADDRINUSE'
          ? `port ${gatewayConfig.port} is in use; stop whatever holds it or set gateway.port in ${paths.config}`
          : err.message;
      return {
        ok: false,
        error: `the gateway could not listen on ${gatewayConfig.host}:${gatewayConfig.port}: ${hint}`,
      };
    }
    // With port 0 the real port is known only now; Host and Origin checks must name it.
    if (gatewayConfig.port === 0)
      Object.assign(
        origins,
        originPolicy(gatewayConfig.host, gateway.port, gatewayConfig.allowedOrigins, gatewayConfig.publicHosts),
      );

    dashboardClient = new DashboardClient(gatewayUrl, dashboardToken);
    const control = new ControlServer(dataDir, {
      status: () => core!.status(),
      serverAction: (name, action) => core!.serverAction(name, action),
      teamPolicy: {
        status: () => teamPolicy.status(),
        sync: async () => (await teamPolicy.syncNow()) ?? { outcome: 'not-enrolled' },
        reload: async () => {
          await teamPolicy.reload();
          return teamPolicy.status();
        },
      },
      toolPins: (server) => pins.report(server),
      approveTools: (server, tools) => pins.approve(server, tools),
    });
    core = new Core({
      dataDir,
      gatewayUrl,
      audit,
      supervisor,
      tokens,
      credentials,
      redactor,
      dashboard: dashboardAccess,
      config: configStore,
      gateway,
      control,
      endpoint,
      directory,
      router,
      catalog,
      drainMs: gatewayConfig.drainMs,
      metrics: coreMetrics,
      controlApi,
      controlEvents,
      dashboardClient,
      watchdog: null,
      lists,
      pins,
      idleStopper,
      upload,
      logger,
      teamPolicy,
    });

    try {
      await control.listen();
    } catch (error) {
      await gateway.close();
      audit.close();
      return {
        ok: false,
        error: `the control socket ${control.path} could not be opened: ${(error as Error).message}`,
      };
    }
    tokens.watch();
    configStore.on('change', (next, previous) => core!.#applyConfig(next, previous));
    const watching = configStore.watch();
    if (!watching.ok)
      logger.warn('config.json is not watched; restart serve after editing it', { error: watching.message });
    const serveInfo = { pid: process.pid, url: gatewayUrl, control: control.path, startedAt: core.#startedAt };
    try {
      await writeFileAtomic(paths.serveInfo, JSON.stringify(serveInfo, null, 2) + '\n', 0o600);
    } catch (error) {
      // Only `bridge` without --url reads it; everything else works without.
      logger.warn('could not write serve.json; give bridge --url', { error: (error as Error).message });
    }
    // Started once this run owns the data directory (its control socket is up) and before any server is, so no
    // child runs without it and it never reaps the children of another gateway.
    core.#parts.watchdog = startOrphanWatchdog({ runDir: paths.run, graceMs: ORPHAN_GRACE_MS, logger });
    await supervisor.apply(config.servers);
    gateway.serversApplied();
    directory.emit('membership');
    credentials.checkExpiry();
    core.#prune();
    upload.start(config);
    core.#expiryTimer = setInterval(() => {
      credentials.checkExpiry();
      core.#prune();
    }, EXPIRY_CHECK_MS);
    core.#expiryTimer.unref();
    return { ok: true, core };
  }

  #applyConfig(next: Config, previous: Config): void {
    if (JSON.stringify(next.gateway) !== JSON.stringify(previous.gateway)) {
      this.#logger.warn('gateway settings changed; restart switchboard serve to apply them');
    }
    // Policy applies from the next call on; sessions are told their tool lists may have changed.
    this.#parts.router.policy?.setPolicy(next.policy);
    // A secret with a new value: the servers using it move over to it without dropping calls. Servers whose own
    // config changed are restarted by apply() anyway.
    const renewed = renewedSecrets(previous.secrets, next.secrets);
    auditConfigChange(this.audit, next, previous, renewed);
    this.#parts.upload.applyConfig(next, renewed);
    const rotate = serversUsing(next, renewed).filter(
      (name) =>
        previous.servers[name] !== undefined &&
        JSON.stringify(previous.servers[name]) === JSON.stringify(next.servers[name]),
    );
    if (renewed.length > 0) this.credentials.checkExpiry();
    // After the supervisor has caught up, the catalog drops servers that are no longer configured.
    this.supervisor
      .apply(next.servers)
      .then(async () => {
        await Promise.all(rotate.map((name) => this.#rotate(name, renewed)));
        for (const name of Object.keys(previous.servers)) {
          if (next.servers[name] === undefined) {
            this.#parts.lists.forget(name);
            this.#parts.pins.forget(name);
          }
        }
        this.#parts.directory.emit('membership');
      })
      .catch((error: unknown) => {
        // The supervisor refuses changes once shutdown has begun; nothing is left to apply them to.
        if (!this.#stopping) this.#logger.error('applying config.json failed', { error: (error as Error).message });
      });
  }

  /** Applies the audit retention settings; a failure is logged, never fatal. */
  #prune(): void {
    try {
      const pruned = pruneAudit(this.audit, {
        ...effectiveRetention(this.#parts.config.current.audit, this.teamPolicy.settings()),
        unsentAfter: this.#parts.upload.uploader.unsentAfter,
      });
      if (pruned.removed > 0) this.#logger.info('audit retention removed old records', { ...pruned });
    } catch (error) {
      this.#logger.warn('audit retention failed', { error: (error as Error).message });
    }
  }

  async #rotate(name: string, secrets: readonly string[]): Promise<void> {
    const server = this.supervisor.get(name);
    if (server === undefined || !server.config.enabled) return;
    this.#logger.info('secret renewed; rotating the server onto it', { server: name, secrets: [...secrets] });
    await server.rotate(this.#parts.drainMs);
  }

  /**
   * The audit upload endpoint a team's policy names, or null when it names none: it wins over config.json's
   * `audit.upload.url` while set (docs/audit.md). Its token, if any, is a vault secret named by the team.
   */
  setTeamUploadTarget(target: Omit<UploadTarget, 'source'> | null): void {
    this.#parts.upload.setTeamTarget(target);
  }

  /** Calls `listener` with every event the dashboard shows, in order; returns the way to stop. */
  onControlEvent(listener: (event: ControlEvent) => void): () => void {
    return this.#parts.controlEvents.listen(listener);
  }

  /** One-minute request rollups, for charts. */
  get rollups(): Rollups {
    return this.#parts.metrics.rollups;
  }

  /** The link that opens this run's dashboard: the gateway's address with the dashboard token. */
  get dashboardUrl(): string {
    return `${this.#parts.gateway.baseUrl}/?token=${this.dashboard.token}`;
  }

  status(): StatusReport {
    return statusReport(
      {
        version: SWITCHBOARD_VERSION,
        pid: process.pid,
        startedAt: this.#startedAt,
        gatewayUrl: this.gatewayUrl,
        sessions: this.#parts.endpoint.sessionCount,
        servers: this.supervisor.list(),
        secrets: this.credentials.standings(),
        audit: {
          failure: this.audit.failure,
          dropped: this.audit.dropped,
          upload: this.#parts.upload.uploader.status(),
        },
        teamPolicy: this.teamPolicy.status(),
      },
      { tools: (server) => this.#parts.catalog.count(server), usage: () => this.#parts.metrics.usage() },
    );
  }

  /**
   * A server action asked for over the control channel. Stopping is awaited; starting is launched and not awaited,
   * since a start may take up to the server's startupMs, longer than a CLI should block (`status` shows how it went).
   * Whether the server should run is written to config.json first (run-intent.ts), so it outlasts this process.
   */
  /**
   * Signs in to a remote server that asks for OAuth, with a person at a browser (the dashboard's and the desktop
   * app's "Log in"): `present` shows them the authorization page; with the tokens stored the server is restarted.
   */
  async signIn(name: string, present: (url: string) => Promise<void>, waitMs = SIGN_IN_WAIT_MS): Promise<LoginOutcome> {
    const server = this.#parts.config.current.servers[name];
    if (server === undefined) return { ok: false, error: `no server named "${name}"` };
    if (server.transport === 'stdio') {
      return { ok: false, error: `"${name}" is a stdio server; OAuth sign-in is for remote servers` };
    }
    const resolved = await this.credentials.resolve(server);
    if (!resolved.ok) return { ok: false, error: resolved.message };
    if (resolved.config.transport === 'stdio') return { ok: false, error: `"${name}" is a stdio server` };
    const outcome = await interactiveLogin({
      credentials: this.credentials,
      name,
      remote: resolved.config,
      present: (url) => present(url),
      waitMs,
      logger: this.#logger.child({ part: 'sign-in', server: name }),
    });
    if (!outcome.ok) return { ok: false, error: this.redactor.redact(outcome.error) };
    if (outcome.signedIn) await this.supervisor.restart(name);
    return outcome;
  }

  async serverAction(name: string, action: 'restart' | 'stop' | 'start'): Promise<ActionResult> {
    const server = this.supervisor.get(name);
    if (server !== undefined && server.config.enabled !== (action !== 'stop')) {
      const recorded = await recordRunIntent(this.dataDir, name, action !== 'stop');
      if (recorded.ok) {
        // Applied at once rather than when the watcher sees the file, which then finds nothing left to do.
        const servers = Object.fromEntries(this.supervisor.list().map((s) => [s.name, s.config]));
        await this.supervisor.apply({ ...servers, [name]: recorded.server });
        // Started by hand means now, also for an on-demand server (which apply leaves idle): a warm-up.
        if (action !== 'stop' && recorded.server.start === 'on-demand') void this.supervisor.start(name);
        return { ok: true };
      }
      this.#logger.warn('config.json could not record whether the server should run; this applies until quit', {
        server: name,
        error: recorded.error,
      });
    }
    if (!this.supervisor.get(name)) {
      const known = this.supervisor.list().map((s) => s.name);
      return {
        ok: false,
        status: 404,
        error: `no server named "${name}"; configured: ${known.length === 0 ? 'none' : known.join(', ')}`,
      };
    }
    if (action === 'stop' || action === 'restart') await this.supervisor.stop(name);
    // A restart by hand clears the crash history: start() from stopped does that.
    if (action !== 'stop' && this.supervisor.get(name)) void this.supervisor.start(name);
    return { ok: true };
  }

  /** Pauses the gateway (every MCP request gets 503 until resumed; sessions stay) or resumes it. */
  setGatewayPaused(paused: boolean): void {
    if (paused !== this.#parts.endpoint.paused) this.#logger.info(paused ? 'gateway paused' : 'gateway resumed');
    this.#parts.endpoint.setPaused(paused);
  }

  get gatewayPaused(): boolean {
    return this.#parts.endpoint.paused;
  }

  /** Graceful shutdown: stop accepting, drain calls, close sessions, stop every child. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const { gateway, control, config, endpoint, router, drainMs } = this.#parts;
      // First: /readyz says draining and new work is refused, so a load balancer moves on at once.
      endpoint.stopAccepting();
      config.close();
      this.teamPolicy.stop();
      this.tokens.close();
      if (this.#expiryTimer !== null) clearInterval(this.#expiryTimer);
      // Calls in flight get drainMs; the rest are cancelled with an error while their sessions can still carry it.
      await this.#parts.dashboardClient.close();
      await router.drain(drainMs);
      await gateway.close();
      this.#parts.idleStopper.dispose();
      await this.supervisor.shutdown();
      await this.#parts.lists.flush();
      await this.#parts.pins.flush();
      this.#parts.watchdog?.standDown();
      await control.close();
      this.#parts.metrics.stop();
      await this.#parts.upload.uploader.close();
      this.audit.close();
      rmSync(dataDirPaths(this.dataDir).serveInfo, { force: true });
    })();
    return this.#stopping;
  }
}
