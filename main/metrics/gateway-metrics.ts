// The gateway's metrics, in Prometheus form (prom-client, its own registry): per server and tool, calls by outcome
// and a latency histogram; calls in flight; per server, state, restarts, uptime and (for processes) CPU and memory;
// sessions per client; the audit log's own health; notifications held back by the rates of notification-rate.ts.
// Calls (and the progress they had coalesced) are counted from audit records as they are recorded, so metrics and
// the trail can never disagree about what happened.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEventInput } from '../audit/audit-event.ts';
import type { ServerStateName } from '../supervisor/server-state.ts';

const STATES: readonly ServerStateName[] = [
  'stopped',
  'idle',
  'starting',
  'running',
  'degraded',
  'backoff',
  'failed',
  'blocked',
];

/** What the collector asks of the running core at each scrape. */
export interface MetricsSource {
  servers(): readonly {
    readonly name: string;
    readonly state: ServerStateName;
    readonly transport: string;
    readonly crashes: number;
    readonly spawns: number;
    /** Seconds since it last became ready, when it is serving. */
    readonly uptimeSeconds: number | null;
    readonly inFlight: number;
    /** For a remote server: whether it answers, and where its OAuth stands. */
    readonly remote: { readonly reachable: boolean; readonly auth: 'none' | 'signed-in' | 'login-required' } | null;
  }[];
  sessionsByClient(): ReadonlyMap<string, number>;
  /** CPU seconds and resident bytes of each server process, sampled. */
  usage(): ReadonlyMap<string, { readonly cpuSeconds: number; readonly rssBytes: number }>;
  auditFailing(): boolean;
  auditDropped(): number;
  /** Log messages each server sent past the log rate and the gateway dropped (T84). */
  logMessagesDropped?(): ReadonlyMap<string, number>;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #calls: Counter<'server' | 'tool' | 'method' | 'outcome'>;
  readonly #latency: Histogram<'server' | 'tool' | 'method'>;
  readonly #progressDropped: Counter<'server'>;

  constructor(source: MetricsSource) {
    const registry = this.registry;
    this.#calls = new Counter({
      name: 'switchboard_requests_total',
      help: 'Requests that acted on a server, by server, tool (or URI or prompt), method and outcome.',
      labelNames: ['server', 'tool', 'method', 'outcome'],
      registers: [registry],
    });
    this.#latency = new Histogram({
      name: 'switchboard_request_duration_seconds',
      help: 'Time from a request reaching the gateway to its answer, by server, tool and method.',
      labelNames: ['server', 'tool', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.#progressDropped = new Counter({
      name: 'switchboard_progress_dropped_total',
      help: 'Progress notifications coalesced away by the per-request progress rate, by server.',
      labelNames: ['server'],
      registers: [registry],
    });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[], collect: (g: Gauge<L>) => void) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset();
          collect(this);
        },
      });
    gauge('switchboard_requests_in_flight', 'Requests waiting on each server.', ['server'], (g) => {
      for (const s of source.servers()) g.set({ server: s.name }, s.inFlight);
    });
    gauge('switchboard_server_state', 'Each server state, 1 for the state it is in.', ['server', 'state'], (g) => {
      for (const s of source.servers())
        for (const state of STATES) g.set({ server: s.name, state }, s.state === state ? 1 : 0);
    });
    gauge(
      'switchboard_server_starts',
      'Processes started (stdio) or connections made (remote) since serve started.',
      ['server'],
      (g) => {
        for (const s of source.servers()) g.set({ server: s.name }, s.spawns);
      },
    );
    gauge('switchboard_server_crashes', 'Ends that were not clean since serve started.', ['server'], (g) => {
      for (const s of source.servers()) g.set({ server: s.name }, s.crashes);
    });
    gauge('switchboard_server_uptime_seconds', 'Seconds since each serving server became ready.', ['server'], (g) => {
      for (const s of source.servers()) if (s.uptimeSeconds !== null) g.set({ server: s.name }, s.uptimeSeconds);
    });
    gauge('switchboard_server_cpu_seconds', 'CPU time used by each server process.', ['server'], (g) => {
      for (const [server, u] of source.usage()) g.set({ server }, u.cpuSeconds);
    });
    gauge('switchboard_server_resident_bytes', 'Resident memory of each server process.', ['server'], (g) => {
      for (const [server, u] of source.usage()) g.set({ server }, u.rssBytes);
    });
    gauge(
      'switchboard_remote_reachable',
      'Whether each remote server answers (downstream health).',
      ['server'],
      (g) => {
        for (const s of source.servers()) if (s.remote !== null) g.set({ server: s.name }, s.remote.reachable ? 1 : 0);
      },
    );
    gauge(
      'switchboard_remote_auth',
      "Where each remote server's authorization stands, 1 for the current one.",
      ['server', 'auth'],
      (g) => {
        for (const s of source.servers()) {
          if (s.remote === null) continue;
          for (const auth of ['none', 'signed-in', 'login-required'] as const)
            g.set({ server: s.name, auth }, s.remote.auth === auth ? 1 : 0);
        }
      },
    );
    gauge('switchboard_sessions', 'Open client sessions, by client.', ['client'], (g) => {
      for (const [client, count] of source.sessionsByClient()) g.set({ client }, count);
    });
    gauge('switchboard_audit_failing', '1 while the audit log cannot be written.', [], (g) =>
      g.set(source.auditFailing() ? 1 : 0),
    );
    gauge(
      'switchboard_audit_dropped',
      'Audit records dropped because the log could not be written for too long.',
      [],
      (g) => g.set(source.auditDropped()),
    );
    gauge(
      'switchboard_log_messages_dropped',
      'Log messages dropped by the per-server log rate since serve started.',
      ['server'],
      (g) => {
        for (const [server, count] of source.logMessagesDropped?.() ?? []) g.set({ server }, count);
      },
    );
  }

  /** Counts a request from its audit record. */
  observe(event: AuditEventInput): void {
    if (
      (event.kind !== 'request' && event.kind !== 'server-request') ||
      event.server === null ||
      event.server === undefined
    )
      return;
    const labels = { server: event.server, tool: event.target ?? '', method: event.method ?? '' };
    this.#calls.inc({ ...labels, outcome: event.outcome });
    const dropped = event.detail?.progressDropped;
    if (typeof dropped === 'number' && dropped > 0) this.#progressDropped.inc({ server: event.server }, dropped);
    if (event.durationMs !== null && event.durationMs !== undefined)
      this.#latency.observe(labels, event.durationMs / 1000);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
