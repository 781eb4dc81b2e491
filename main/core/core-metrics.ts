// Wires the metrics to the running core: what each scrape reads (servers, sessions, process usage, the audit log's
// health), the audit records that count requests, and the timers that sample process usage and write rollups.
import type { IncomingMessage } from 'node:http';
import type { AuditLog } from '../audit/audit-log.ts';
import type { TokenStore } from '../gateway/auth/token-store.ts';
import type { InFlightRequests } from '../gateway/aggregate/in-flight.ts';
import type { McpEndpoint } from '../gateway/http/mcp-endpoint.ts';
import { bearerToken } from '../gateway/http/request-guards.ts';
import { GatewayMetrics } from '../metrics/gateway-metrics.ts';
import { Rollups } from '../metrics/rollups.ts';
import { clearUsageCache, sampleUsage, type Usage } from '../metrics/server-usage.ts';
import { isServing } from '../supervisor/server-state.ts';
import type { Supervisor } from '../supervisor/supervisor.ts';

const USAGE_EVERY_MS = 10_000;
const ROLLUP_EVERY_MS = 60_000;

export interface CoreMetrics {
  readonly metrics: GatewayMetrics;
  readonly rollups: Rollups;
  /** Each server process's CPU (percent of one core, between the last two samples) and resident memory. */
  usage(): ReadonlyMap<string, ProcessLoad>;
  /** For the gateway's /metrics route. */
  readonly route: { contentType: string; render(): Promise<string>; authorized(req: IncomingMessage): boolean };
  stop(): void;
}

export interface ProcessLoad {
  readonly cpuPercent: number;
  readonly rssBytes: number;
}

export function startCoreMetrics(parts: {
  supervisor: Supervisor;
  endpoint: McpEndpoint;
  inFlight: InFlightRequests;
  audit: AuditLog;
  tokens: TokenStore;
  /** Log messages dropped by the log rate, by server (the log router's count). */
  logMessagesDropped?: () => ReadonlyMap<string, number>;
  now?: () => number;
}): CoreMetrics {
  const now = parts.now ?? Date.now;
  let usage = new Map<string, Usage>();
  let load = new Map<string, ProcessLoad>();
  let sampledAt = 0;
  const metrics = new GatewayMetrics({
    servers: () =>
      parts.supervisor.list().map((server) => {
        const state = server.state;
        const serving = isServing(state);
        const stdio = server.config.transport === 'stdio';
        return {
          name: server.name,
          state: state.state,
          transport: server.config.transport,
          crashes: server.counters.crashes,
          spawns: server.counters.spawns,
          uptimeSeconds: state.state === 'running' || state.state === 'degraded' ? (now() - state.since) / 1000 : null,
          inFlight: parts.inFlight.on(server.name).length,
          remote: stdio
            ? null
            : {
                reachable: serving,
                auth:
                  state.state === 'blocked' && state.reason === 'login-required'
                    ? 'login-required'
                    : server.oauthStanding !== null
                      ? 'signed-in'
                      : 'none',
              },
        };
      }),
    sessionsByClient: () => parts.endpoint.sessionsByClient(),
    usage: () => usage,
    auditFailing: () => parts.audit.failure !== null,
    auditDropped: () => parts.audit.dropped,
    logMessagesDropped: () => parts.logMessagesDropped?.() ?? new Map(),
  });
  const rollups = new Rollups(parts.audit.database);
  parts.audit.subscribe((event) => {
    metrics.observe(event);
    rollups.observe(event);
  });
  const sample = async (): Promise<void> => {
    const pids = new Map<string, number>();
    for (const server of parts.supervisor.list()) if (server.pid !== null) pids.set(server.name, server.pid);
    const previous = usage;
    const previousAt = sampledAt;
    usage = await sampleUsage(pids);
    sampledAt = now();
    const seconds = (sampledAt - previousAt) / 1000;
    load = new Map(
      [...usage].map(([name, u]) => {
        const before = previous.get(name);
        // A process that restarted since the last sample has a smaller CPU total; its share is unknown until next.
        const cpu =
          before === undefined || u.cpuSeconds < before.cpuSeconds || seconds <= 0
            ? 0
            : u.cpuSeconds - before.cpuSeconds;
        return [name, { cpuPercent: Math.round((cpu / (seconds || 1)) * 1000) / 10, rssBytes: u.rssBytes }];
      }),
    );
  };
  void sample();
  const usageTimer = setInterval(() => void sample(), USAGE_EVERY_MS);
  usageTimer.unref();
  const rollupTimer = setInterval(() => {
    try {
      rollups.flush(now());
    } catch {
      // A full disk: the minute stays in memory and is written with the next one.
    }
  }, ROLLUP_EVERY_MS);
  rollupTimer.unref();
  return {
    metrics,
    rollups,
    usage: () => load,
    route: {
      contentType: metrics.contentType,
      render: async () => {
        await sample();
        return metrics.render();
      },
      authorized: (req) => {
        const raw = bearerToken(req);
        return raw !== null && parts.tokens.verify(raw, 'client').ok;
      },
    },
    stop() {
      clearInterval(usageTimer);
      clearInterval(rollupTimer);
      clearUsageCache();
      try {
        // The minute in progress is written too: a restart would otherwise lose it.
        rollups.flush(now() + 60_000);
      } catch {
        // Shutting down with a full disk: the last minutes are lost, the audit trail itself is not.
      }
    },
  };
}
