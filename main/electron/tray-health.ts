// The tray icon's colour and tooltip from the core's status: one word for "is everything all right", and a line
// that names what is not.
import type { ServerStatus, StatusReport } from '../core/status-report.ts';

/** `ok` all enabled servers running or idle (on demand, starting on use); `degraded` something is on its way up or limping; `failed` something needs a person. */
export type TrayHealth = 'ok' | 'degraded' | 'failed' | 'idle' | 'paused';

type Bucket = 'running' | 'idle' | 'degraded' | 'failed' | 'off';

function bucketOf(server: ServerStatus): Bucket {
  if (!server.enabled) return 'off';
  switch (server.state.state) {
    case 'running':
      return 'running';
    // Stopped on purpose, and started by the next request that needs it: healthy, nothing to do.
    case 'idle':
      return 'idle';
    case 'degraded':
    case 'starting':
    case 'backoff':
    case 'stopped':
      return 'degraded';
    case 'failed':
    case 'blocked':
      return 'failed';
  }
}

export interface TrayLook {
  readonly health: TrayHealth;
  readonly tooltip: string;
}

export function trayLook(report: StatusReport, paused: boolean): TrayLook {
  const enabled = report.servers.filter((s) => s.enabled);
  const named = (bucket: Bucket): string[] => enabled.filter((s) => bucketOf(s) === bucket).map((s) => s.name);
  const failed = named('failed');
  const degraded = named('degraded');
  const running = named('running');
  const idle = named('idle');
  const parts = [`${running.length} running`];
  if (idle.length > 0) parts.push(`${idle.length} idle`);
  if (degraded.length > 0) parts.push(`${degraded.length} not ready (${degraded.join(', ')})`);
  if (failed.length > 0) parts.push(`${failed.length} need attention (${failed.join(', ')})`);
  if (report.audit.failure !== null) parts.push('audit log not writable');
  const summary = enabled.length === 0 ? 'no servers yet' : parts.join(', ');
  const tooltip = `Switchboard: ${paused ? 'gateway paused; ' : ''}${summary}`;
  if (paused) return { health: 'paused', tooltip };
  if (failed.length > 0) return { health: 'failed', tooltip };
  if (degraded.length > 0 || report.audit.failure !== null) return { health: 'degraded', tooltip };
  if (enabled.length === 0) return { health: 'idle', tooltip };
  return { health: 'ok', tooltip };
}
