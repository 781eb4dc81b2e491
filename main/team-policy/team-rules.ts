// The team document as a policy the engine runs, and where local rules try to allow what the team denies (T23):
// such a local rule has no effect on those calls (both policies must admit a call), and is reported so the person
// who wrote it knows why.
import type { PolicyConfig, PolicyRule } from '../config/policy-schema.ts';
import { globToRegExp } from '../policy/glob.ts';
import type { TeamDocument } from './document-schema.ts';

/** `deniedTools` become deny rules ahead of the team's own rules, named `deniedTools[<index>]`. */
export function teamEnginePolicy(document: TeamDocument): PolicyConfig {
  const denied: PolicyRule[] = document.deniedTools.map((tool, index) => ({
    id: `deniedTools[${index}]`,
    tools: [tool],
    action: 'deny',
    reason: 'the team policy denies this tool',
  }));
  // Named as the document numbers them, not as they sit after the denied tools.
  const own = document.policy.rules.map((rule, index) => ({ ...rule, id: rule.id ?? `policy.rules[${index}]` }));
  return { ...document.policy, rules: [...denied, ...own] };
}

export interface RuleConflict {
  /** The local rule, as `policy.rules[<index>]` or its id. */
  readonly local: string;
  /** The team rule it runs into, as `team:<rule>`. */
  readonly team: string;
  readonly message: string;
}

/**
 * Local `allow` and `confirm` rules that meet a team `deny` rule without argument conditions: two rules meet when,
 * for clients, servers and tools alike, one side's globs match a name the other side's globs spell (or either
 * side leaves the field out).
 */
export function ruleConflicts(document: TeamDocument, local: PolicyConfig): RuleConflict[] {
  const teamDenies = teamEnginePolicy(document)
    .rules.filter((rule) => rule.action === 'deny' && rule.arguments === undefined)
    .map((rule) => ({ rule, name: rule.id! }));
  const conflicts: RuleConflict[] = [];
  local.rules.forEach((rule, index) => {
    if (rule.action === 'deny') return;
    const localName = rule.id ?? `policy.rules[${index}]`;
    for (const deny of teamDenies) {
      if (!meets(rule.clients, deny.rule.clients) || !meets(rule.servers, deny.rule.servers)) continue;
      if (!meets(rule.tools, deny.rule.tools)) continue;
      conflicts.push({
        local: localName,
        team: `team:${deny.name}`,
        message: `local rule ${localName} ${rule.action}s what team rule ${deny.name} denies; the team's deny stands`,
      });
    }
  });
  return conflicts;
}

function meets(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return a.some((x) => b.some((y) => globToRegExp(x).test(y) || globToRegExp(y).test(x)));
}
