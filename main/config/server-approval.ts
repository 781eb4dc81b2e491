// The config edits behind approving or declining a server's command (T77), shared by `switchboard server
// approve|decline` and the dashboard: an approval names the fingerprint of the command the person saw, and is
// written only if the server still runs exactly that command.
import {
  commandFingerprint,
  commandRisks,
  commandShown,
  type CommandRisk,
  type CommandShown,
  type ServerOrigin,
} from '../supervisor/command-approval.ts';
import type { Config, ConfigInput } from './schema.ts';
import { updateConfig } from './update-config.ts';

/** What a person is shown before approving: the command verbatim, its risks, and the fingerprint to approve. */
export interface ApprovalReview extends CommandShown {
  readonly name: string;
  readonly origin: ServerOrigin;
  readonly risks: readonly CommandRisk[];
  readonly fingerprint: string;
  /** `user` entries need none; others are approved when their current command has been. */
  readonly approved: boolean;
}

export type ReviewResult =
  { readonly ok: true; readonly review: ApprovalReview } | { readonly ok: false; readonly error: string };

export function reviewCommand(config: Config, name: string): ReviewResult {
  const server = config.servers[name];
  if (server === undefined) return { ok: false, error: `no server named "${name}"` };
  if (server.transport !== 'stdio') {
    return { ok: false, error: `"${name}" is a remote server; approval is for commands run on this machine` };
  }
  const fingerprint = commandFingerprint(server);
  return {
    ok: true,
    review: {
      name,
      origin: server.origin,
      ...commandShown(server),
      risks: commandRisks(server),
      fingerprint,
      approved: server.origin === 'user' || server.approvedCommand === fingerprint,
    },
  };
}

export type EditResult = Awaited<ReturnType<typeof updateConfig>>;

/** Approves the server's command if it is still the one `fingerprint` names. */
export async function approveCommand(dataDir: string, name: string, fingerprint: string): Promise<EditResult> {
  return updateConfig(dataDir, (draft: ConfigInput) => {
    const entry = draft.servers?.[name];
    if (entry === undefined || !('command' in entry)) return new Error(`no stdio server named "${name}"`);
    const current = commandFingerprint({
      command: entry.command,
      args: entry.args ?? [],
      env: entry.env ?? {},
      cwd: entry.cwd,
    });
    if (current !== fingerprint) {
      return new Error(
        `the command of "${name}" is not the one that fingerprint approves (it changed, or the fingerprint is mistyped); review it as it is now`,
      );
    }
    return { ...draft, servers: { ...draft.servers, [name]: { ...entry, approvedCommand: fingerprint } } };
  });
}

/** Declines: the server is disabled, its approval (if any) dropped, so it is never spawned. */
export async function declineCommand(dataDir: string, name: string): Promise<EditResult> {
  return updateConfig(dataDir, (draft: ConfigInput) => {
    const entry = draft.servers?.[name];
    if (entry === undefined) return new Error(`no server named "${name}"`);
    const { approvedCommand: _dropped, ...rest } = entry as typeof entry & { approvedCommand?: string };
    return { ...draft, servers: { ...draft.servers, [name]: { ...rest, enabled: false } } };
  });
}
