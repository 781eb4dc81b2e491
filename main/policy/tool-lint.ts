// Tool lint: what a reviewer of model-facing text would flag in a server's tool definitions, checked cheaply and
// objectively. Vague or missing descriptions make models call tools at the wrong time, untyped parameters make
// them guess, and names that clash after namespacing confuse clients that compare names without case. Each finding
// names its rule (tool-lint-rules.ts), the tool as clients see it, and where in the definition by JSON path.
// Pure: the gateway's catalog, the CLI (from the cached lists) and the policy engine all lint the same way.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { formatPath } from '../config/config-problems.ts';
import { buildToolNameMap } from '../gateway/aggregate/tool-names.ts';
import {
  MIN_DESCRIPTION_LENGTH,
  TOOL_LINT_RULES,
  atLeast,
  type LintSeverity,
  type ToolLintRuleId,
} from './tool-lint-rules.ts';

export interface LintFinding {
  /** A rule of tool-lint-rules.ts, or of a further checker's (see ToolCheck). */
  readonly rule: string;
  readonly severity: LintSeverity;
  /** Where in the tool's definition: `description`, `inputSchema.properties.path`, `name`. */
  readonly path: string;
  /** One line naming the tool as clients see it and what to fix. */
  readonly message: string;
}

export interface ToolLint {
  /** The server's own name for the tool. */
  readonly tool: string;
  /** `<server><separator><tool>`, as on `/mcp`. */
  readonly exposed: string;
  readonly findings: readonly LintFinding[];
}

/**
 * A further check of one tool's definition, run after the built-in rules. This is where other scanners of tool
 * text (the description scan for injection markers, T29) add their flags to the same report.
 */
export type ToolCheck = (tool: Tool, exposed: string) => readonly LintFinding[];

/** What a policy blocks: findings of these rules, and any finding at this severity or worse. */
export interface QualityBar {
  readonly block: readonly string[];
  readonly blockSeverity?: LintSeverity | undefined;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keywords that give a parameter a type a model can follow, whether or not `type` itself is given. */
const TYPING_KEYWORDS = ['type', 'enum', 'const', '$ref', 'anyOf', 'oneOf', 'allOf'];

function finding(rule: ToolLintRuleId, path: readonly PropertyKey[], message: string): LintFinding {
  return { rule, severity: TOOL_LINT_RULES[rule].severity, path: formatPath(path), message };
}

/** Every tool of one server, linted together (names can clash only among tools of one server). */
export function lintServerTools(
  server: string,
  separator: string,
  tools: readonly Tool[],
  extraChecks: readonly ToolCheck[] = [],
): ToolLint[] {
  const names = buildToolNameMap(
    server,
    separator,
    tools.map((t) => t.name),
  );
  const exposedOf = (tool: Tool): string => names.toExposed.get(tool.name) ?? `${server}${separator}${tool.name}`;
  const byFolded = new Map<string, string[]>();
  for (const exposed of names.toExposed.values()) {
    const folded = exposed.toLowerCase();
    byFolded.set(folded, [...(byFolded.get(folded) ?? []), exposed]);
  }
  return tools.map((tool) => {
    const exposed = exposedOf(tool);
    const findings = [...lintDefinition(tool, exposed)];
    const written = `${server}${separator}${tool.name}`;
    if (exposed !== written) {
      findings.push(
        finding('name-rewritten', ['name'], `${written}: ${nameFault(written)}, so clients see it as ${exposed}`),
      );
    }
    const twins = (byFolded.get(exposed.toLowerCase()) ?? []).filter((other) => other !== exposed);
    if (twins.length > 0) {
      findings.push(
        finding(
          'name-collision',
          ['name'],
          `${exposed}: differs only in letter case from ${twins.join(', ')}; clients that ignore case cannot tell them apart`,
        ),
      );
    }
    for (const check of extraChecks) findings.push(...check(tool, exposed));
    return { tool: tool.name, exposed, findings };
  });
}

function nameFault(name: string): string {
  if (name.length > 128) return `is ${name.length} characters, more than MCP's 128`;
  return 'has characters outside A-Z a-z 0-9 _ - .';
}

/** The rules that need only the tool itself. */
export function lintDefinition(tool: Tool, exposed: string): LintFinding[] {
  const findings: LintFinding[] = [];
  const description = typeof tool.description === 'string' ? tool.description.trim() : '';
  if (description === '') {
    findings.push(
      finding(
        'description-missing',
        ['description'],
        `${exposed}: has no description; say what it does and when to use it`,
      ),
    );
  } else if (description.length < MIN_DESCRIPTION_LENGTH) {
    findings.push(
      finding(
        'description-short',
        ['description'],
        `${exposed}: its description is ${description.length} characters ("${description}"); say what it does and when to use it in at least ${MIN_DESCRIPTION_LENGTH}`,
      ),
    );
  }
  const schema: unknown = tool.inputSchema;
  const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
  for (const [name, property] of Object.entries(properties)) {
    const at = ['inputSchema', 'properties', name];
    const where = formatPath(at);
    const described =
      isObject(property) && typeof property.description === 'string' && property.description.trim() !== '';
    if (!described) findings.push(finding('param-description-missing', at, `${exposed}: ${where} has no description`));
    const typed = isObject(property) && TYPING_KEYWORDS.some((k) => k in property);
    if (!typed) findings.push(finding('param-type-missing', at, `${exposed}: ${where} has no type`));
  }
  const required = isObject(schema) && Array.isArray(schema.required) ? schema.required : [];
  required.forEach((name, index) => {
    if (typeof name === 'string' && Object.hasOwn(properties, name)) return;
    findings.push(
      finding(
        'required-undeclared',
        ['inputSchema', 'required', index],
        `${exposed}: requires ${JSON.stringify(name)}, which inputSchema.properties does not describe`,
      ),
    );
  });
  const annotations: unknown = tool.annotations;
  const hinted =
    isObject(annotations) &&
    ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'].some(
      (k) => typeof annotations[k] === 'boolean',
    );
  if (!hinted) {
    findings.push(
      finding(
        'annotations-missing',
        ['annotations'],
        `${exposed}: has no annotations; clients must assume it may be destructive`,
      ),
    );
  }
  return findings;
}

/** The findings a policy's quality bar blocks; empty when the tool passes. */
export function blockingFindings(findings: readonly LintFinding[], bar: QualityBar): LintFinding[] {
  return findings.filter(
    (f) => bar.block.includes(f.rule) || (bar.blockSeverity !== undefined && atLeast(f.severity, bar.blockSeverity)),
  );
}
