// An in-memory stand-in for a team server's dashboard calls, for component tests only: it answers from plain data
// the test sets up and records what it was asked. The real calls are tested against PostgreSQL
// (test/unit/team-server/team-api.test.ts).
import type { Answer } from '../../preload/contract.ts';
import type {
  TeamActivityView,
  TeamApi,
  TeamAuditQueryView,
  TeamAuditRecordView,
  TeamMethod,
  TeamPolicyStatusView,
} from '../../preload/team-contract.ts';

export function teamRecord(n: number, extra: Partial<TeamAuditRecordView> = {}): TeamAuditRecordView {
  return {
    uid: `install-a:${n}:h${n}`,
    member: 'alice',
    install: 'install-a',
    localId: n,
    ts: 1_790_000_000_000 + n * 1000,
    kind: 'request',
    method: 'tools/call',
    outcome: 'ok',
    client: 'cursor',
    server: 'github',
    target: `github__tool_${n}`,
    arguments: null,
    decision: 'allow',
    rule: 'default',
    durationMs: 12,
    error: null,
    ...extra,
  };
}

export class FakeTeam {
  /** Oldest first; teamAudit answers newest first, `limit` at a time, the cursor being the last uid sent. */
  records: TeamAuditRecordView[] = [];
  activity: Omit<TeamActivityView, 'since' | 'until'> = { members: [], servers: [] };
  policy: TeamPolicyStatusView = { versions: [], installs: [] };
  /** When set, teamAudit refuses with it (a lost session, a database away). */
  auditError: string | null = null;
  readonly asked: { readonly method: TeamMethod; readonly input: unknown }[] = [];

  askedFor(method: TeamMethod): unknown[] {
    return this.asked.filter((a) => a.method === method).map((a) => a.input);
  }

  #audit(query: TeamAuditQueryView): Answer<{ records: TeamAuditRecordView[]; next: string | null }> {
    if (this.auditError !== null) return { ok: false, error: this.auditError };
    let matching = [...this.records].reverse();
    if (query.member !== undefined) matching = matching.filter((r) => r.member === query.member);
    if (query.cursor !== undefined) {
      const at = matching.findIndex((r) => r.uid === query.cursor);
      if (at === -1) return { ok: false, error: 'cursor: not a cursor this server gave; start from the first page' };
      matching = matching.slice(at + 1);
    }
    const limit = query.limit ?? 100;
    const page = matching.slice(0, limit);
    return { ok: true, value: { records: page, next: matching.length > limit ? page[page.length - 1]!.uid : null } };
  }

  readonly api: TeamApi = {
    teamAudit: async (input) => this.#answer('teamAudit', input, () => this.#audit(input)),
    teamActivity: async (input) =>
      this.#answer('teamActivity', input, () => ({
        ok: true,
        value: { since: input.since, until: input.until ?? input.since + 1, ...this.activity },
      })),
    teamPolicy: async (input) => this.#answer('teamPolicy', input, () => ({ ok: true, value: this.policy })),
  };

  async #answer<T>(method: TeamMethod, input: unknown, answer: () => Answer<T>): Promise<Answer<T>> {
    this.asked.push({ method, input });
    await Promise.resolve();
    return structuredClone(answer());
  }
}
