// The gateway's own parts (listener, endpoint, tokens, audit) with no supervised servers, for tests that need a
// setting the composition root does not expose, such as HTTP timeouts short enough to wait for.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditDb } from '../../../main/audit/audit-db.ts';
import { AuditLog } from '../../../main/audit/audit-log.ts';
import { gatewaySchema } from '../../../main/config/schema.ts';
import { SupervisedDirectory } from '../../../main/core/supervised-directory.ts';
import { CallRouter } from '../../../main/gateway/aggregate/call-router.ts';
import { ToolCatalog } from '../../../main/gateway/aggregate/tool-catalog.ts';
import { FailureThrottle } from '../../../main/gateway/auth/failure-throttle.ts';
import { TokenStore } from '../../../main/gateway/auth/token-store.ts';
import { DEFAULT_HTTP_TIMEOUTS, GatewayServer, type HttpTimeouts } from '../../../main/gateway/gateway-server.ts';
import { McpEndpoint } from '../../../main/gateway/http/mcp-endpoint.ts';
import { originPolicy } from '../../../main/gateway/http/request-guards.ts';
import { createLogger } from '../../../main/log/logger.ts';

export interface BareGateway {
  readonly port: number;
  readonly token: string;
  /** What the composition root says once the supervisor has its servers (none here). */
  serversApplied(): void;
  close(): Promise<void>;
}

export async function startBareGateway(timeouts: HttpTimeouts = DEFAULT_HTTP_TIMEOUTS): Promise<BareGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-bare-'));
  const config = gatewaySchema.parse({ port: 0 });
  const logger = createLogger({ level: 'error', write: () => {} });
  const db = openAuditDb(join(dir, 'audit.db'));
  if (!db.ok) throw new Error(db.error);
  const audit = new AuditLog(db.db);
  const tokens = new TokenStore(join(dir, 'tokens.json'));
  const minted = await tokens.create('bare-client');
  if (!minted.ok) throw new Error(minted.error);
  const directory = new SupervisedDirectory();
  const catalog = new ToolCatalog(directory, config.toolSeparator, logger);
  const router = new CallRouter(directory, catalog, audit, { listWaitMs: config.listWaitMs });
  const origins = originPolicy(config.host, config.port, []);
  const endpoint = new McpEndpoint({
    config,
    origins,
    tokens,
    throttle: new FailureThrottle(),
    audit,
    directory,
    catalog,
    router,
    logger,
    version: '0.0.0-test',
  });
  const gateway = new GatewayServer({ config, origins, endpoint, router, directory, logger, timeouts });
  await gateway.listen();
  Object.assign(origins, originPolicy(config.host, gateway.port, []));
  return {
    port: gateway.port,
    token: minted.value.token,
    serversApplied: () => gateway.serversApplied(),
    async close() {
      await gateway.close();
      audit.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
