// The catalogue of tool lint rules: each rule's id, severity and what it checks. Kept apart from the checks
// (tool-lint.ts) so the policy schema can name the ids without importing the linter. Rules added by other
// checkers of tool definitions (the description scan for injection markers, T29) join this list, so a team
// policy can block their findings by id like any other.

export const LINT_SEVERITIES = ['error', 'warning', 'info'] as const;
export type LintSeverity = (typeof LINT_SEVERITIES)[number];

export const TOOL_LINT_RULES = {
  'description-missing': { severity: 'error', summary: 'the tool has no description' },
  'description-short': { severity: 'warning', summary: 'the description is too short to say when to use the tool' },
  'param-description-missing': { severity: 'warning', summary: 'a parameter has no description' },
  'param-type-missing': { severity: 'warning', summary: 'a parameter has no type' },
  'required-undeclared': { severity: 'error', summary: 'a required parameter is not among the properties' },
  'annotations-missing': { severity: 'info', summary: 'the tool has no annotations (readOnlyHint, destructiveHint…)' },
  'name-rewritten': { severity: 'warning', summary: 'the namespaced name breaks MCP’s name rules and is rewritten' },
  'name-collision': { severity: 'error', summary: 'two namespaced names differ only in letter case' },
} as const satisfies Record<string, { severity: LintSeverity; summary: string }>;

export type ToolLintRuleId = keyof typeof TOOL_LINT_RULES;

export const TOOL_LINT_RULE_IDS = Object.keys(TOOL_LINT_RULES) as [ToolLintRuleId, ...ToolLintRuleId[]];

/** A description shorter than this (trimmed) cannot say what the tool does and when to use it. */
export const MIN_DESCRIPTION_LENGTH = 20;

/** Whether `severity` is `floor` or worse. */
export function atLeast(severity: LintSeverity, floor: LintSeverity): boolean {
  return LINT_SEVERITIES.indexOf(severity) <= LINT_SEVERITIES.indexOf(floor);
}
