// What the team policy tests share: a core enrolled in a team whose feed runs on 127.0.0.1 (policy-feed.ts), with
// the policy fixture as server `fs`, and the audit records of a kind.
import type { TestContext } from 'node:test';
import type { ConfigInput } from '../../../main/config/schema.ts';
import type { AuditEvent } from '../../../main/audit/audit-event.ts';
import { teamPaths, writeEnrollment } from '../../../main/team-policy/enrollment.ts';
import { isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { makeTeamKey, signWith, teamDocument, type TeamKey } from '../../helpers/team-documents.ts';
import { policyServer } from '../security/policy-support.ts';
import { startFeed, type Feed } from './policy-feed.ts';

export const TEAM = 'acme';

export interface TeamSetup {
  readonly h: Harness;
  readonly feed: Feed;
  readonly key: TeamKey;
  /** Serves a document signed with the team key. */
  serve(version: number, more?: Record<string, unknown>): Promise<string>;
}

export async function startTeamCore(
  t: TestContext,
  options: { config?: ConfigInput; pollMs?: number; timeoutMs?: number; first?: Record<string, unknown> } = {},
): Promise<TeamSetup> {
  const key = await makeTeamKey();
  const feed = await startFeed();
  t.after(() => feed.close());
  const serve = async (version: number, more: Record<string, unknown> = {}) => {
    const jws = await signWith(key, teamDocument(TEAM, version, more));
    feed.answer = { kind: 'document', jws };
    return jws;
  };
  if (options.first !== undefined) await serve(1, options.first);
  const h = await startHarness(
    { servers: { fs: policyServer() }, ...options.config },
    {
      beforeStart: async (dataDir) => {
        const enrolled = await writeEnrollment(teamPaths(dataDir), {
          url: feed.url,
          publicKey: key.publicKey,
          team: TEAM,
          pollMs: options.pollMs ?? 3_600_000,
          timeoutMs: options.timeoutMs ?? 2_000,
        });
        if (!enrolled.ok) throw new Error(enrolled.error);
      },
    },
  );
  t.after(() => h.close());
  await h.waitForState('fs', isRunning);
  return { h, feed, key, serve };
}

/** Audit records with this method (newest first), once everything recorded so far is stored. */
export async function auditOf(h: Harness, method: string): Promise<AuditEvent[]> {
  await h.core.audit.whenStored();
  return h.core.audit.query({ limit: 10_000 }).events.filter((e) => e.method === method);
}

/** The rule a refused call's JSON-RPC error names (`data.rule`); undefined when the call was not refused so. */
export async function ruleOfRefusal(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (error) {
    return (error as { data?: { rule?: string } }).data?.rule;
  }
  return undefined;
}
