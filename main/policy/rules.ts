// Policy rules, first match wins: rules are read in order and the first one that applies to a request decides
// it; when none applies, `policy.defaultAction` does (recorded as rule `default`). A rule applies when its client
// and server globs match and the request's name matches the glob of its kind (a rule naming no kind matches all),
// and, for a `deny` rule with argument conditions, when the request meets all of them. An `allow` or `confirm` rule's argument constraints are requirements instead: a call that breaks one is
// refused by that rule, each problem named by its JSON path.
import type { PolicyAction, PolicyConfig, PolicyRule } from '../config/policy-schema.ts';
import { constraintProblems, type ConstraintContext } from './argument-constraints.ts';
import { globMatcher, type NameMatcher } from './glob.ts';
import type { ArgumentProblem } from './schema-validator.ts';

/** What a request acts on: a tool (tools/call), a prompt (prompts/get) or a resource (resources/read). */
export type RequestKind = 'tool' | 'prompt' | 'resource';

/** The name globs of a rule or a limit, by request kind; null when it names none of them (it matches every kind). */
export type KindMatchers = Readonly<Record<RequestKind, NameMatcher | undefined>> | null;

export interface CompiledRule {
  /** The rule's id, or `policy.rules[<index>]`. */
  readonly name: string;
  readonly rule: PolicyRule;
  readonly clients: NameMatcher;
  readonly servers: NameMatcher;
  readonly kinds: KindMatchers;
}

export interface RuleSubject {
  readonly client: string;
  readonly server: string;
  readonly kind: RequestKind;
  /**
   * What the request names: a tool or prompt as `/mcp` names it (`<server><separator><name>`), or a resource URI
   * as its server names it.
   */
  readonly name: string;
}

/** Compiles the `tools`, `prompts` and `resources` globs of a rule or a limit. */
export function kindMatchers(fields: {
  readonly tools?: readonly string[] | undefined;
  readonly prompts?: readonly string[] | undefined;
  readonly resources?: readonly string[] | undefined;
}): KindMatchers {
  const { tools, prompts, resources } = fields;
  if (tools === undefined && prompts === undefined && resources === undefined) return null;
  const matcher = (globs: readonly string[] | undefined) => (globs === undefined ? undefined : globMatcher(globs));
  return { tool: matcher(tools), prompt: matcher(prompts), resource: matcher(resources) };
}

/** Whether the kind globs match the subject's kind and name. */
export function matchesKind(kinds: KindMatchers, subject: Pick<RuleSubject, 'kind' | 'name'>): boolean {
  if (kinds === null) return true;
  return kinds[subject.kind]?.(subject.name) === true;
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
    kinds: kindMatchers(rule),
  }));
}

/** Whether the rule's client, server and name globs all match (its argument conditions aside). */
export function applies(rule: CompiledRule, subject: RuleSubject): boolean {
  return rule.clients(subject.client) && rule.servers(subject.server) && matchesKind(rule.kinds, subject);
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
      reason: `no policy rule allows this ${subject.kind} for this client (policy.defaultAction is "deny")`,
      problems: null,
    };
  }
  return { action: 'allow', rule: DEFAULT_RULE, matched: false };
}

/**
 * Whether a tool, prompt or resource may be listed for a client: false when a rule would deny every call of it whatever the
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
