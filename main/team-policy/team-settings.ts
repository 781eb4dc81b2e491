// The team's settings beside its rules, in effect from one place: the approved server catalog, audit retention
// (the stricter of the team's and config.json's `audit` wins), the audit upload endpoint (read by the uploader,
// which also hears of each change), and the oldest app version the team accepts.
import type { TeamPolicyView } from '../../preload/contract.ts';
import type { TeamDocument } from './document-schema.ts';

export type TeamSettings = NonNullable<TeamPolicyView['settings']>;

export function teamSettings(document: TeamDocument | null, appVersion: string): TeamSettings | null {
  if (document === null) return null;
  const min = document.minAppVersion ?? null;
  return {
    catalog: document.servers,
    auditRetention: {
      ...(document.audit.retentionDays === undefined ? {} : { retentionDays: document.audit.retentionDays }),
      ...(document.audit.maxRows === undefined ? {} : { maxRows: document.audit.maxRows }),
    },
    auditUploadUrl: document.audit.uploadUrl ?? null,
    minAppVersion: min,
    appOutdated: min !== null && compareVersions(appVersion, min) < 0,
  };
}

/** Audit retention in force: for days and rows alike, the smaller of config.json's and the team's. */
export function effectiveRetention(
  local: { readonly retentionDays: number; readonly maxRows: number },
  team: TeamSettings | null,
): { days: number; maxRows: number } {
  const days = Math.min(local.retentionDays, team?.auditRetention.retentionDays ?? Infinity);
  const maxRows = Math.min(local.maxRows, team?.auditRetention.maxRows ?? Infinity);
  return { days, maxRows };
}

/** Compares `major.minor.patch` versions (a pre-release suffix is ignored); negative when `a` is older. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .split('-')[0]!
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i += 1) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
