// `switchboard policy enroll|unenroll|show|sync|status`: this machine's side of team policy. Each acts on a running
// `serve` through the control socket, or, when none runs, on the data directory itself (the same files serve
// reads at start), so the whole loop works with or without a gateway up.
import type { TeamPolicyView } from '../../../preload/contract.ts';
import { loadConfig } from '../../config/load-config.ts';
import { policySchema } from '../../config/policy-schema.ts';
import { controlRequest } from '../../control/control-client.ts';
import { SWITCHBOARD_VERSION } from '../../core/version.ts';
import { silentLogger } from '../../log/logger.ts';
import { dataDirPaths, ensureDataDir } from '../../paths/data-dir.ts';
import { PolicyEngine } from '../../policy/policy-engine.ts';
import { removeEnrollment, teamPaths, writeEnrollment } from '../../team-policy/enrollment.ts';
import { LayeredPolicy } from '../../team-policy/layered-policy.ts';
import { TeamPolicy } from '../../team-policy/team-policy.ts';
import type { SyncResult } from '../../team-policy/team-policy-sync.ts';
import { UsageError, stringOption, type CliIo, type Command } from '../command.ts';
import { describeTeamPolicy } from '../describe-team-policy.ts';
import { policyKeygenCommand, policySignCommand } from './policy-keys.ts';
import { policyPublishCommand } from './policy-publish.ts';

function seconds(args: Parameters<Command['run']>[0], name: string): number | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} takes a number of seconds, got "${text}"`);
  return Math.round(value * 1000);
}

/** The team policy as serve would load it at start, without polling: for commands run while serve is down. */
async function offlineTeamPolicy(dataDir: string): Promise<TeamPolicy> {
  const config = await loadConfig(dataDirPaths(dataDir).config);
  const local = config.ok ? config.config.policy : policySchema.parse({});
  const separator = config.ok ? config.config.gateway.toolSeparator : '__';
  const team = new TeamPolicy({
    dataDir,
    logger: silentLogger,
    audit: null,
    policy: new LayeredPolicy(new PolicyEngine({ policy: local, separator }), separator),
    localPolicy: () => local,
    appVersion: SWITCHBOARD_VERSION,
    poll: false,
  });
  await team.reload();
  return team;
}

/** Tells a running serve to read the enrollment again; false when none runs. */
async function reloadRunning(dataDir: string, io: CliIo): Promise<boolean> {
  const reloaded = await controlRequest<TeamPolicyView | null>(dataDir, 'POST', '/team-policy/reload');
  if (!reloaded.ok && !reloaded.notRunning) io.err(`the running gateway did not take it: ${reloaded.error}\n`);
  return reloaded.ok;
}

export const policyEnrollCommand: Command = {
  path: ['policy', 'enroll'],
  summary: "Follow a team's signed policy from URL, checked with the team's public key.",
  usage:
    'switchboard policy enroll URL --team NAME --key PUBLIC_KEY [--poll SECONDS] [--timeout SECONDS]\n' +
    '       URL is https (or http to 127.0.0.1/localhost); PUBLIC_KEY as printed by policy keygen',
  options: { team: { type: 'string' }, key: { type: 'string' }, poll: { type: 'string' }, timeout: { type: 'string' } },
  allowPositionals: true,
  async run(args, global, io) {
    if (args.positionals.length !== 1) throw new UsageError(`expected one URL; usage: ${this.usage.split('\n')[0]}`);
    const team = stringOption(args, 'team');
    const key = stringOption(args, 'key');
    if (team === undefined) throw new UsageError('enroll needs --team NAME: the team whose documents are accepted');
    if (key === undefined) throw new UsageError("enroll needs --key PUBLIC_KEY: the team's Ed25519 public key");
    const pollMs = seconds(args, 'poll');
    const timeoutMs = seconds(args, 'timeout');
    const dir = await ensureDataDir(global.dataDir);
    if (!dir.ok) {
      io.err(`policy enroll: ${dir.message}\n`);
      return 1;
    }
    const written = await writeEnrollment(teamPaths(global.dataDir), {
      url: args.positionals[0]!,
      publicKey: key,
      team,
      ...(pollMs === undefined ? {} : { pollMs }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    if (!written.ok) {
      io.err(`policy enroll: ${written.error}\n`);
      return 1;
    }
    const running = await reloadRunning(global.dataDir, io);
    if (global.json) io.out(JSON.stringify({ enrolled: written.enrollment, running }) + '\n');
    else {
      io.out(`enrolled in team "${team}" at ${written.enrollment.url}\n`);
      io.out(
        running
          ? 'the running gateway syncs now; see: switchboard policy status\n'
          : 'until a document is synced every call is refused; fetch it now with: switchboard policy sync\n',
      );
    }
    return 0;
  },
};

export const policyUnenrollCommand: Command = {
  path: ['policy', 'unenroll'],
  summary: 'Leave the team policy: only config.json’s policy applies again.',
  usage: 'switchboard policy unenroll',
  options: {},
  allowPositionals: false,
  async run(_args, global, io) {
    const was = await removeEnrollment(teamPaths(global.dataDir));
    await reloadRunning(global.dataDir, io);
    io.out(global.json ? JSON.stringify({ unenrolled: was }) + '\n' : was ? 'unenrolled\n' : 'was not enrolled\n');
    return 0;
  },
};

export const policySyncCommand: Command = {
  path: ['policy', 'sync'],
  summary: 'Fetch the team policy now (through the running gateway, or directly when none runs).',
  usage: 'switchboard policy sync [--json]',
  options: {},
  allowPositionals: false,
  async run(_args, global, io) {
    let result: SyncResult | { outcome: 'not-enrolled' };
    const live = await controlRequest<SyncResult | { outcome: 'not-enrolled' }>(
      global.dataDir,
      'POST',
      '/team-policy/sync',
    );
    if (live.ok) result = live.value;
    else if (!live.notRunning) {
      io.err(`policy sync: ${live.error}\n`);
      return 1;
    } else {
      const team = await offlineTeamPolicy(global.dataDir);
      result = (await team.syncNow()) ?? { outcome: 'not-enrolled' };
      team.stop();
    }
    if (global.json) io.out(JSON.stringify(result) + '\n');
    else if (result.outcome === 'not-enrolled')
      io.out('not enrolled in a team policy (see: switchboard policy enroll)\n');
    else if (result.outcome === 'rejected') io.out(`rejected (${result.reason}): ${result.message}\n`);
    else io.out(`${result.outcome}${result.version === null ? '' : `: version ${result.version}`}\n`);
    return result.outcome === 'rejected' ? 1 : 0;
  },
};

async function teamView(
  dataDir: string,
): Promise<{ ok: true; view: TeamPolicyView | null } | { ok: false; error: string }> {
  const live = await controlRequest<TeamPolicyView | null>(dataDir, 'GET', '/team-policy/status');
  if (live.ok) return { ok: true, view: live.value };
  if (!live.notRunning) return { ok: false, error: live.error };
  const team = await offlineTeamPolicy(dataDir);
  return { ok: true, view: team.status() };
}

function viewCommand(word: 'status' | 'show', summary: string): Command {
  return {
    path: ['policy', word],
    summary,
    usage: `switchboard policy ${word} [--json]`,
    options: {},
    allowPositionals: false,
    async run(_args, global, io) {
      const got = await teamView(global.dataDir);
      if (!got.ok) {
        io.err(`policy ${word}: ${got.error}\n`);
        return 1;
      }
      if (global.json) io.out(JSON.stringify(got.view, null, 2) + '\n');
      else io.out(describeTeamPolicy(got.view, word === 'show'));
      return 0;
    },
  };
}

export const policyStatusCommand = viewCommand(
  'status',
  'Where the team policy stands: version, last and next sync, alert.',
);
export const policyShowCommand = viewCommand(
  'show',
  'The team policy in force: its rules, denied tools and server catalog.',
);

export const POLICY_COMMANDS: readonly Command[] = [
  policyKeygenCommand,
  policySignCommand,
  policyPublishCommand,
  policyEnrollCommand,
  policyUnenrollCommand,
  policySyncCommand,
  policyStatusCommand,
  policyShowCommand,
];
