// The team policy and the local one together, where local rules can only narrow the team's (T23): each is its own
// PolicyEngine and a call must be admitted by both (lists are the intersection). The team decides first, so a
// call the team refuses takes nothing from the local limits; a call both admit takes rate-limit tokens from both,
// and a confirmation either asks for is asked once and its answer serves both. Rules the team's engine names are
// reported as `team:<rule>`, and every decision made while enrolled carries the team version that made it
// (`detail.team.version`): the team layer is one immutable value, read once per call, so a call decided during an
// apply uses the old version or the new one entirely (T90).
import { EventEmitter } from 'node:events';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { PolicyConfig } from '../config/policy-schema.ts';
import type { CallPolicy } from '../policy/call-policy.ts';
import type { ConfirmAnswer, Confirmer } from '../policy/confirmation.ts';
import {
  PolicyEngine,
  type Admission,
  type PolicyCall,
  type PolicyEngineOptions,
  type PolicyRequest,
} from '../policy/policy-engine.ts';
import { teamEnginePolicy } from './team-rules.ts';
import { inForce, type TeamStanding } from './team-policy-sync.ts';

/** What the team says now: an engine for one document version, or every call refused and why. */
type TeamLayer =
  | { readonly kind: 'engine'; readonly engine: PolicyEngine; readonly version: number; readonly digest: string }
  | { readonly kind: 'closed'; readonly reason: string; readonly version: number | null };

export const TEAM_RULE_PREFIX = 'team:';

/** What a team engine shares with the local one besides its policy. */
export type TeamEngineParts = Omit<PolicyEngineOptions, 'policy' | 'separator'>;

export class LayeredPolicy extends EventEmitter<{ changed: [] }> implements CallPolicy {
  readonly #local: PolicyEngine;
  readonly #separator: string;
  readonly #engineParts: TeamEngineParts;
  #team: TeamLayer | null = null;

  /** `engineParts` are given to each team engine as to the local one (the catalog's lint findings). */
  constructor(local: PolicyEngine, separator: string, engineParts: TeamEngineParts = {}) {
    super();
    this.setMaxListeners(0);
    this.#local = local;
    this.#separator = separator;
    this.#engineParts = engineParts;
    local.on('changed', () => this.emit('changed'));
  }

  setPolicy(policy: PolicyConfig): void {
    this.#local.setPolicy(policy);
  }

  /** The team's standing changed (null: not enrolled). A new document version gets an engine of its own. */
  setTeam(standing: TeamStanding | null): void {
    const before = this.#team;
    this.#team = layerFor(standing, before, this.#separator, this.#engineParts);
    if (this.#team !== before) this.emit('changed');
  }

  /** The team version deciding calls now; null when not enrolled or none is in force. */
  get teamVersion(): number | null {
    return this.#team?.version ?? null;
  }

  visible(client: string, server: string, tool: Tool): boolean {
    const team = this.#team;
    if (team?.kind === 'closed') return false;
    if (team !== null && !team.engine.visible(client, server, tool)) return false;
    return this.#local.visible(client, server, tool);
  }

  visibleItem(client: string, server: string, kind: PolicyRequest['kind'], name: string): boolean {
    const team = this.#team;
    if (team?.kind === 'closed') return false;
    if (team !== null && !team.engine.visibleItem(client, server, kind, name)) return false;
    return this.#local.visibleItem(client, server, kind, name);
  }

  admit(call: PolicyCall): Promise<Admission> {
    const exposed = `${call.server}${this.#separator}${call.tool}`;
    return this.#both(call.confirm, exposed, (engine, confirm) => engine.admit({ ...call, confirm }));
  }

  admitRequest(request: PolicyRequest): Promise<Admission> {
    const named = request.kind === 'prompt' ? `${request.server}${this.#separator}${request.name}` : request.name;
    return this.#both(request.confirm, named, (engine, confirm) => engine.admitRequest({ ...request, confirm }));
  }

  /** The team's decision, then the local one, as one; `named` is what a refusal names. */
  async #both(
    confirmer: Confirmer,
    named: string,
    decide: (engine: PolicyEngine, confirm: Confirmer) => Promise<Admission>,
  ): Promise<Admission> {
    // Read once: everything below uses this layer, whatever is applied meanwhile.
    const team = this.#team;
    if (team === null) return decide(this.#local, confirmer);
    const stamp = (rule: string | null) => ({ team: { version: team.version, ...(rule === null ? {} : { rule }) } });
    if (team.kind === 'closed') {
      const rule = `${TEAM_RULE_PREFIX}unavailable`;
      return {
        ok: false,
        rule,
        outcome: 'denied',
        refusal: {
          kind: 'refused',
          message: `${named}: the team policy is not in force (${team.reason}), so every call is refused`,
          data: { rule },
        },
        detail: stamp(null),
      };
    }
    const confirm = askOnce(confirmer);
    const byTeam = await decide(team.engine, confirm);
    const teamRule = `${TEAM_RULE_PREFIX}${byTeam.rule}`;
    if (!byTeam.ok) {
      const refusal =
        byTeam.refusal.kind === 'refused'
          ? { ...byTeam.refusal, data: { ...byTeam.refusal.data, rule: teamRule } }
          : byTeam.refusal;
      return { ...byTeam, rule: teamRule, refusal, detail: { ...byTeam.detail, ...stamp(teamRule) } };
    }
    const byLocal = await decide(this.#local, confirm);
    if (!byLocal.ok) {
      byTeam.release();
      return { ...byLocal, detail: { ...byLocal.detail, ...stamp(teamRule) } };
    }
    // The record names the rule that said the most: a local rule, else the team's, else the default.
    const rule = byLocal.rule === 'default' && byTeam.rule !== 'default' ? teamRule : byLocal.rule;
    return {
      ok: true,
      rule,
      detail: { ...byTeam.detail, ...byLocal.detail, ...stamp(teamRule) },
      release: () => {
        byTeam.release();
        byLocal.release();
      },
    };
  }
}

function layerFor(
  standing: TeamStanding | null,
  before: TeamLayer | null,
  separator: string,
  parts: TeamEngineParts,
): TeamLayer | null {
  if (standing === null) return null;
  const held = inForce(standing);
  if (held === null)
    return { kind: 'closed', reason: 'reason' in standing ? standing.reason : standing.state, version: null };
  const { document, digest } = held;
  if (held.enforced === 'closed') {
    return {
      kind: 'closed',
      reason: `version ${document.version} expired at ${document.expiresAt}`,
      version: document.version,
    };
  }
  // The same document again (a stale "keep" after fresh, a re-read): its engine, rate buckets and all, stays.
  if (before?.kind === 'engine' && before.digest === digest) return before;
  const engine = new PolicyEngine({ policy: teamEnginePolicy(document), separator, ...parts });
  return { kind: 'engine', engine, version: document.version, digest };
}

/** A confirmer that asks the user at most once per call, however many layers want the answer. */
function askOnce(confirm: Confirmer): Confirmer {
  if (confirm === null) return null;
  let answer: Promise<ConfirmAnswer> | null = null;
  return (request) => (answer ??= confirm(request));
}
