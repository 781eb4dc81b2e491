// Policy rules, first match wins: rules are read in order and the first one that applies to a call decides it;
// when none applies, `policy.defaultAction` does (recorded as rule `default`). A rule applies when its client,
// server and tool globs all match, and, for a `deny` rule with argument conditions, when the call meets all of
// them. An `allow` or `confirm` rule's argument constraints are requirements instead: a call that breaks one is
// refused by that rule, each problem named by its JSON path.
import type { PolicyAction, PolicyConfig, PolicyRule } from '../config/policy-schema.ts';
import { constraintProblems, type ConstraintContext } from './argument-constraints.ts';
import { globMatcher, type NameMatcher } from './glob.ts';
import type { ArgumentProblem } from './schema-validator.ts';

export interface CompiledRule {
  /** The rule's id, or `policy.rules[<index>]`. */
  readonly name: string;
  readonly rule: PolicyRule;
  readonly clients: NameMatcher;
  readonly servers: NameMatcher;
  readonly tools: NameMatcher;
}

export interface RuleSubject {
  readonly client: string;
  readonly server: string;
  /** The tool as `/mcp` names it: `<server><separator><tool>`. */
  readonly tool: string;
}

export type RuleDecision =
  | { readonly action: Exclude<PolicyAction, 'deny'>; readonly rule: string; readonly matched: boolean }
  | {
      readonly action: 'deny';
      readonly rule: string;
      readonly reason: string;
      /** Set when arguments broke the rule's constraints: what the model can correct. */
      readonly problems: readonly ArgumentProblem[] | null;
    };

export const DEFAULT_RULE = 'default';

export function compileRules(rules: PolicyConfig['rules']): CompiledRule[] {
  return rules.map((rule, index) => ({
    name: rule.id ?? `policy.rules[${index}]`,
    rule,
    clients: globMatcher(rule.clients),
    servers: globMatcher(rule.servers),
    tools: globMatcher(rule.tools),
  }));
}

/** Whether the rule's client, server and tool globs all match (its argument conditions aside). */
export function applies(rule: CompiledRule, subject: RuleSubject): boolean {
  return rule.clients(subject.client) && rule.servers(subject.server) && rule.tools(subject.tool);
}

/** The decision for a call with these arguments. */
export async function decideByRules(
  rules: readonly CompiledRule[],
  subject: RuleSubject,
  args: unknown,
  defaultAction: PolicyConfig['defaultAction'],
  context: ConstraintContext,
): Promise<RuleDecision> {
  for (const compiled of rules) {
    if (!applies(compiled, subject)) continue;
    const { rule, name } = compiled;
    const constraints = rule.arguments;
    if (rule.action === 'deny') {
      if (constraints !== undefined) {
        // Conditions: the rule denies only calls meeting every one of them.
        const unmet = await constraintProblems(args, constraints, context);
        if (unmet.length > 0) continue;
      }
      const because =
        constraints === undefined ? '' : ` (its conditions on ${Object.keys(constraints).join(', ')} hold)`;
      return {
        action: 'deny',
        rule: name,
        reason: rule.reason ?? `denied by policy rule ${name}${because}`,
        problems: null,
      };
    }
    if (constraints !== undefined) {
      const problems = await constraintProblems(args, constraints, context);
      if (problems.length > 0) {
        return {
          action: 'deny',
          rule: name,
          reason: rule.reason ?? `the arguments break policy rule ${name}`,
          problems,
        };
      }
    }
    return { action: rule.action, rule: name, matched: true };
  }
  if (defaultAction === 'deny') {
    return {
      action: 'deny',
      rule: DEFAULT_RULE,
      reason: 'no policy rule allows this tool for this client (policy.defaultAction is "deny")',
      problems: null,
    };
  }
  return { action: 'allow', rule: DEFAULT_RULE, matched: false };
}

/**
 * Whether a tool may be listed for a client: false when a rule would deny every call of it whatever the
 * arguments (a `deny` without conditions, or the default `deny` with no rule letting it through).
 */
export function listableByRules(
  rules: readonly CompiledRule[],
  subject: RuleSubject,
  defaultAction: PolicyConfig['defaultAction'],
): boolean {
  for (const compiled of rules) {
    if (!applies(compiled, subject)) continue;
    if (compiled.rule.action !== 'deny') return true;
    if (compiled.rule.arguments === undefined) return false;
  }
  return defaultAction === 'allow';
}
