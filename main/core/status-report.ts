// What `switchboard status` shows and the control channel returns: plain data, no secrets.
import type { AuditUploadStatus } from '../audit/audit-uploader.ts';
import type { Isolation, StartMode } from '../config/schema.ts';
import type { ManagedServer } from '../supervisor/managed-server.ts';
import type { ServerState } from '../supervisor/server-state.ts';
import type { UpstreamEra } from '../supervisor/upstream-client.ts';
import type { ProcessLoad } from './core-metrics.ts';
import type { SecretStanding } from './credentials.ts';
import type { TeamPolicyView } from '../../preload/contract.ts';

export interface ServerStatus {
  readonly name: string;
  readonly transport: string;
  readonly enabled: boolean;
  readonly state: ServerState;
  readonly pid: number | null;
  /**
   * The protocol era spoken to the server while connected: `legacy` (`initialize`, 2025-11-25 and before) or
   * `modern` (2026-07-28); null when not connected.
   */
  readonly era: UpstreamEra | null;
  /** Who shares the server's upstream connection: `shared`, or an instance per client or per session. */
  readonly isolation: Isolation;
  /** Per-client or per-session instances running or starting now (0 for a shared server). */
  readonly instances: number;
  /** Starts after the first: restarts after crashes, failed health checks, or by hand. */
  readonly restarts: number;
  /** Tools the server lists now. */
  readonly tools: number;
  /** `always`, or `on-demand`: started by its first use and stopped when idle (state `idle` meanwhile). */
  readonly start: StartMode;
  /** How long its last start took, launch to finished initialize (ms); null before the first. */
  readonly lastStartMs: number | null;
  /**
   * Its last start took longer than SLOW_START_MS: the first call after an idle stop waits that long, so a server
   * used often is better switched to `start: "always"` (or warmed up with `server start`).
   */
  readonly slowStart: boolean;
  /** CPU (percent of one core) and resident memory of its process, from the last samples; null when unknown. */
  readonly usage: ProcessLoad | null;
}

export interface StatusReport {
  readonly version: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly gatewayUrl: string;
  readonly sessions: number;
  readonly servers: readonly ServerStatus[];
  /** Every secret with metadata and where it stands against its expiry; never a value. */
  readonly secrets: readonly SecretStanding[];
  /**
   * Why the audit log cannot be written right now (calls go on; records wait in memory), how many were lost, and
   * where the upload to a team's collector stands.
   */
  readonly audit: { readonly failure: string | null; readonly dropped: number; readonly upload: AuditUploadStatus };
  /** The team policy when enrolled (team-policy/); absent or null otherwise. */
  readonly teamPolicy?: TeamPolicyView | null;
}

/** A start slower than this is flagged in `status` (the "a few seconds" a first call should not wait). */
export const SLOW_START_MS = 3_000;

export interface ServerFigures {
  tools(server: string): number;
  usage(): ReadonlyMap<string, ProcessLoad>;
}

export function statusReport(
  input: Omit<StatusReport, 'servers'> & { servers: readonly ManagedServer[] },
  figures: ServerFigures,
): StatusReport {
  const usage = figures.usage();
  return {
    ...input,
    servers: input.servers.map((s) => ({
      name: s.name,
      transport: s.config.transport,
      enabled: s.config.enabled,
      state: s.state,
      pid: s.pid,
      era: s.era,
      isolation: s.config.isolation,
      instances: s.instances.size,
      restarts: Math.max(0, s.counters.spawns - 1),
      tools: figures.tools(s.name),
      start: s.config.start,
      lastStartMs: s.lastStartMs,
      slowStart: s.lastStartMs !== null && s.lastStartMs > SLOW_START_MS,
      usage: s.pid === null ? null : (usage.get(s.name) ?? null),
    })),
  };
}
