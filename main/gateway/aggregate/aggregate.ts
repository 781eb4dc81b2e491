// Everything client sessions share: the catalogs of tools, prompts and resources, the routers, resource
// subscriptions, log levels and the table of open sessions. Built once per core; each session's SDK Server
// (session-server.ts) is a thin set of handlers over it.
import type { AuditLog } from '../../audit/audit-log.ts';
import type { Logger } from '../../log/logger.ts';
import type { CallRouter } from './call-router.ts';
import { LogRouter } from './log-router.ts';
import { PromptCatalog } from './prompt-catalog.ts';
import { RequestRouter } from './request-router.ts';
import type { ListStore } from './list-store.ts';
import { ResourceCatalog } from './resource-catalog.ts';
import { SessionRegistry } from './session-registry.ts';
import { SubscriptionHub } from './subscriptions.ts';
import type { ToolCatalog } from './tool-catalog.ts';
import type { UpstreamDirectory } from './upstream-directory.ts';

export interface AggregateOptions {
  readonly directory: UpstreamDirectory;
  readonly tools: ToolCatalog;
  readonly router: CallRouter;
  readonly logger: Logger;
  /** How long a list (or a request naming a server's item) waits for servers still starting. */
  readonly listWaitMs: number;
  /** Items per page of a merged list; a longer list is paged with gateway cursors. */
  readonly pageSize: number;
  /** Records every request forwarded to a server (tools/call records itself in the CallRouter). */
  readonly audit?: AuditLog;
  /** Lists from servers' last runs, for on-demand servers that are not running. */
  readonly store?: ListStore;
}

export class Aggregate {
  readonly directory: UpstreamDirectory;
  readonly tools: ToolCatalog;
  readonly router: CallRouter;
  readonly prompts: PromptCatalog;
  readonly resources: ResourceCatalog;
  readonly subscriptions: SubscriptionHub;
  readonly sessions: SessionRegistry;
  readonly logs: LogRouter;
  readonly requests: RequestRouter;
  readonly listWaitMs: number;
  readonly pageSize: number;

  constructor(options: AggregateOptions) {
    const { directory, tools, router, logger } = options;
    // Each catalog, the subscriptions and the log router listen to the directory.
    directory.setMaxListeners(Math.max(directory.getMaxListeners(), 50));
    this.directory = directory;
    this.tools = tools;
    this.router = router;
    this.listWaitMs = options.listWaitMs;
    this.pageSize = options.pageSize;
    this.prompts = new PromptCatalog(directory, tools.separator, logger.child({ part: 'prompts' }), options.store);
    this.resources = new ResourceCatalog(
      directory,
      logger.child({ part: 'resources' }),
      options.store === undefined ? {} : { store: options.store },
    );
    this.subscriptions = new SubscriptionHub(
      directory,
      router.upstreamRequests,
      logger.child({ part: 'subscriptions' }),
    );
    this.sessions = new SessionRegistry();
    // Tied to no request: it travels on the session's GET stream. A 2026-07-28 client never gets it (the era
    // removed it; the retry's result tells the out-of-band step is done), as its session has no such stream.
    directory.on('elicitationComplete', (_server, session, elicitationId) => {
      const notification = { method: 'notifications/elicitation/complete' as const, params: { elicitationId } };
      void this.sessions
        .get(session)
        ?.notify(notification)
        .catch(() => {});
    });
    this.logs = new LogRouter(directory, this.sessions, router.upstreamRequests, logger.child({ part: 'logging' }));
    this.requests = new RequestRouter({
      directory,
      prompts: this.prompts,
      resources: this.resources,
      subscriptions: this.subscriptions,
      inFlight: router.upstreamRequests,
      listWaitMs: options.listWaitMs,
      policy: router.policy,
      ...(options.audit === undefined ? {} : { audit: options.audit }),
    });
  }
}
