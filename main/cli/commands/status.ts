// `switchboard status`: what the running gateway is doing, or what is configured when it is not running.
import { loadConfig } from '../../config/load-config.ts';
import { controlRequest } from '../../control/control-client.ts';
import type { SecretStanding } from '../../core/credentials.ts';
import type { StatusReport } from '../../core/status-report.ts';
import { describeStanding, expiryStanding } from '../../vault/expiry.ts';
import { dataDirPaths } from '../../paths/data-dir.ts';
import { describeState } from '../describe-state.ts';
import type { Command } from '../command.ts';

export const statusCommand: Command = {
  path: ['status'],
  summary: 'Show whether the gateway runs, its URL, and the state of every server.',
  usage: 'switchboard status [--json]',
  options: {},
  allowPositionals: false,
  async run(_args, global, io) {
    const live = await controlRequest<StatusReport>(global.dataDir, 'GET', '/status');
    if (live.ok) {
      const report = live.value;
      if (global.json) {
        io.out(JSON.stringify({ running: true, ...report }, null, 2) + '\n');
        return 0;
      }
      io.out(`running (pid ${report.pid}) at ${report.gatewayUrl}, ${report.sessions} client session(s)\n`);
      for (const s of report.servers) {
        const isolated = s.isolation === 'shared' ? '' : `, ${s.isolation}: ${s.instances} instance(s)`;
        const era = s.era === 'modern' ? ', speaks 2026-07-28' : '';
        const slow =
          s.start === 'on-demand' && s.slowStart
            ? `, slow to start (${(s.lastStartMs! / 1000).toFixed(1)} s): consider "start": "always"`
            : '';
        io.out(`  ${s.name.padEnd(20)} ${describeState(s.state, Date.now())}${era}${isolated}${slow}\n`);
      }
      printSecretWarnings(report.secrets, io.out);
      if (report.audit.failure !== null)
        io.out(`  AUDIT: ${report.audit.failure}; nothing is lost until the limit is reached\n`);
      if (report.audit.dropped > 0) io.out(`  AUDIT: ${report.audit.dropped} records were dropped\n`);
      const upload = describeUpload(report.audit.upload);
      if (upload !== null) io.out(`  audit upload: ${upload}\n`);
      return 0;
    }
    if (!live.notRunning) {
      io.err(`status: ${live.error}\n`);
      return 1;
    }
    const config = await loadConfig(dataDirPaths(global.dataDir).config);
    if (!config.ok) {
      io.err(
        `status: not running, and config.json has ${config.problems.length} problem(s); see: switchboard server list\n`,
      );
      return 1;
    }
    // The same shape as when running, so scripts read one format; nothing runs, so no state and no pid.
    const now = Date.now();
    const secrets = Object.entries(config.config.secrets).map(([name, meta]) => ({
      name,
      expiry: expiryStanding(meta, now),
    }));
    const servers = Object.entries(config.config.servers).map(([name, s]) => ({
      name,
      transport: s.transport,
      enabled: s.enabled,
      state: null,
      pid: null,
      era: null,
      isolation: s.isolation,
      instances: 0,
    }));
    if (global.json) {
      io.out(JSON.stringify({ running: false, servers, secrets }, null, 2) + '\n');
      return 0;
    }
    io.out(`not running (start it with: switchboard serve). ${servers.length} server(s) configured.\n`);
    printSecretWarnings(secrets, io.out);
    return 0;
  },
};

/** Where the audit upload stands, in one line; null while it is off. */
export function describeUpload(upload: StatusReport['audit']['upload']): string | null {
  if (upload.state === 'off') return null;
  const state =
    upload.state === 'idle'
      ? upload.pending === 0
        ? 'up to date'
        : 'waiting for the next round'
      : upload.state === 'backoff'
        ? `FAILING (${upload.failures} tries), next try ${upload.retryAt}`
        : upload.state === 'stopped'
          ? 'STOPPED'
          : 'sending';
  const last = upload.lastUploadAt === null ? 'nothing acknowledged yet' : `last acknowledged ${upload.lastUploadAt}`;
  const error = upload.lastError === null ? '' : `; last error: ${upload.lastError}`;
  return `${state}, to ${upload.target} (${upload.source}), ${upload.pending} pending, ${last}${error}`;
}

/** Only secrets that need attention: expiring within 7 days, or expired. */
function printSecretWarnings(secrets: readonly SecretStanding[], out: (text: string) => void): void {
  for (const { name, expiry } of secrets) {
    if (expiry.state === 'expiring' || expiry.state === 'expired') {
      out(`  secret ${name.padEnd(13)} ${describeStanding(expiry)}\n`);
    }
  }
}
