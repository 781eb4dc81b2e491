// The team policy as `policy status` and `policy show` print it: where it comes from, the version in force, the
// last and next sync and the last alert; `show` adds the team's rules, denied tools, catalog and settings, and
// the local rules that run into the team's.
import type { TeamPolicyView } from '../../preload/contract.ts';

export function describeTeamPolicy(view: TeamPolicyView | null, full: boolean): string {
  if (view === null)
    return "not enrolled: only config.json's policy applies (enroll: switchboard policy enroll URL --team NAME --key KEY)\n";
  const lines: string[] = [];
  lines.push(`team "${view.team}" from ${view.url || '(enrollment unreadable)'}`);
  const version = view.version === null ? 'no document in force' : `version ${view.version}, expires ${view.expiresAt}`;
  lines.push(`  state      ${view.state}${view.enforced === 'closed' ? ' (every call is refused)' : ''}; ${version}`);
  const last = view.lastSync;
  lines.push(
    `  last sync  ${last === null ? 'none yet' : `${last.at} ${last.outcome}${last.message ? `: ${last.message}` : ''}`}`,
  );
  lines.push(
    `  next sync  ${view.nextSyncAt ?? '—'}${view.failures > 0 ? ` (after ${view.failures} failure(s))` : ''}`,
  );
  if (view.lastAlert !== null)
    lines.push(`  ALERT      ${view.lastAlert.at} ${view.lastAlert.reason}: ${view.lastAlert.message}`);
  if (view.settings?.appOutdated)
    lines.push(`  ALERT      this app is older than ${view.settings.minAppVersion}, the team's minimum`);
  for (const c of view.conflicts) lines.push(`  conflict   ${c.message}`);
  if (full && view.policy !== null) {
    const rules = (view.policy.rules ?? []) as {
      id?: string;
      action: string;
      clients?: string[];
      servers?: string[];
      tools?: string[];
    }[];
    lines.push(
      `team rules (checked before config.json's; a call must pass both), default ${String(view.policy.defaultAction)}:`,
    );
    for (const r of rules) {
      const where = [
        r.clients && `clients ${r.clients.join(',')}`,
        r.servers && `servers ${r.servers.join(',')}`,
        r.tools && `tools ${r.tools.join(',')}`,
      ]
        .filter(Boolean)
        .join('; ');
      lines.push(`  team:${r.id ?? '?'}  ${r.action}  ${where || 'every call'}`);
    }
    const catalog = Object.entries(view.settings?.catalog ?? {});
    lines.push(`approved servers (${catalog.length}):`);
    for (const [name, s] of catalog) {
      const runs = s.url ?? [s.command, ...s.args].join(' ');
      const pins = Object.entries(s.packages)
        .map(([p, v]) => `${p}@${v}`)
        .join(', ');
      lines.push(
        `  ${name.padEnd(20)} ${runs}${pins ? `  [${pins}]` : ''}${s.secrets.length ? `  secrets: ${s.secrets.join(', ')}` : ''}`,
      );
    }
    const settings = view.settings;
    if (settings !== null) {
      const r = settings.auditRetention;
      lines.push(
        `audit retention  ${r.retentionDays ?? '—'} days, ${r.maxRows ?? '—'} rows (the stricter of these and config.json's applies)`,
      );
      lines.push(`audit upload     ${settings.auditUploadUrl ?? 'none'}`);
      lines.push(`minimum app      ${settings.minAppVersion ?? 'any'}`);
    }
  }
  return lines.join('\n') + '\n';
}
