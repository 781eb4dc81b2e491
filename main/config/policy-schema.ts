// The `policy` section of config.json: who may call which tools, with which arguments, how often, and what needs
// a person's confirmation (issue 8). Evaluated on every call by main/policy/; everything is optional, and the
// defaults allow what Switchboard allowed before the section existed.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { LINT_SEVERITIES, TOOL_LINT_RULE_IDS } from '../policy/tool-lint-rules.ts';
import { TOOL_HASH_PATTERN } from '../policy/tool-definition-hash.ts';

/** Globs name clients, servers and tools: `*` is any run of characters, `?` one character, the rest literal. */
const glob = z.string().min(1, 'must not be empty');
const globs = z.array(glob).min(1, 'must name at least one; leave the field out to match everything');

const regex = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source, 'u');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(error as Error).message}` });
  }
});

/** A JSON Schema fragment (draft 2020-12) one argument must satisfy; checked against the meta-schema here. */
const schemaFragment = z.record(z.string(), z.unknown()).superRefine((fragment, ctx) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  try {
    if (!ajv.validateSchema(fragment)) {
      const why = (ajv.errors ?? []).map((e) => `${e.instancePath || '(schema)'} ${e.message ?? ''}`.trim());
      ctx.addIssue({ code: 'custom', message: `is not a valid JSON Schema: ${why.join('; ')}` });
      return;
    }
    ajv.compile(fragment);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `is not a usable JSON Schema: ${(error as Error).message}` });
  }
});

/**
 * What one argument must be. Every field given must hold: `schema` (a JSON Schema fragment), `pathPrefix` (a path
 * under one of these directories once `~`, `..` and symlinks are resolved), `pattern` (a regular expression the
 * string matches; anchor it with ^…$ to match the whole), `values` (one of these JSON values), `publicUrl` (an
 * http(s) URL reaching only public addresses).
 */
export const argumentConstraintSchema = z
  .object({
    schema: schemaFragment.optional(),
    pathPrefix: z
      .array(
        z
          .string()
          .min(1)
          .refine((p) => p.startsWith('/') || p.startsWith('~') || /^[A-Za-z]:[\\/]/.test(p), {
            message: 'must be an absolute path (or start with ~)',
          }),
      )
      .min(1)
      .optional(),
    pattern: regex.optional(),
    values: z.array(z.unknown()).min(1).optional(),
    /** An http(s) URL whose host is, or resolves only to, public addresses (no private, loopback or metadata). */
    publicUrl: z.literal(true).optional(),
    /** An `allow` or `confirm` rule passes a call without this argument only when this is set. */
    optional: z.boolean().default(false),
  })
  .strict()
  .refine(
    (c) => c.schema !== undefined || c.pathPrefix !== undefined || c.pattern !== undefined || c.values || c.publicUrl,
    { message: 'must give at least one of "schema", "pathPrefix", "pattern", "values" or "publicUrl"' },
  );

/** Where an argument is: property names joined by ".", with "*" for every item of an array or object. */
const argumentPath = z
  .string()
  .regex(/^[^.]+(\.[^.]+)*$/, 'must be property names joined by "." (e.g. "path" or "options.target", "*" for all)');

export const POLICY_ACTIONS = ['allow', 'deny', 'confirm'] as const;

/**
 * What a rule or a rate limit matches. One that names none of `tools`, `prompts` and `resources` matches every
 * request to its servers (tool calls, prompts, resource reads, completions); one that names some matches only
 * requests of those kinds, by those names.
 */
const matchFields = {
  /** Client (token) names; all clients when left out. */
  clients: globs.optional(),
  /** Server names as configured; all servers when left out. */
  servers: globs.optional(),
  /** Tool names as `/mcp` shows them, `<server><separator><tool>` (e.g. `fs__delete`). */
  tools: globs.optional(),
  /** Prompt names as `/mcp` shows them, `<server><separator><prompt>`; covers prompts/get and its completions. */
  prompts: globs.optional(),
  /** Resource URIs as their server names them (e.g. `file:///etc/*`); covers resources/read and completions. */
  resources: globs.optional(),
};

export const policyRuleSchema = z
  .object({
    /** Names the rule in errors and audit records; `policy.rules[<index>]` when left out. */
    id: z.string().min(1).max(64).optional(),
    ...matchFields,
    action: z.enum(POLICY_ACTIONS, {
      error: 'must be "allow", "deny" or "confirm" (ask the calling client\'s user first)',
    }),
    /**
     * Argument constraints. On `allow` and `confirm` they are requirements: a call breaking one is refused by this
     * rule, naming the argument. On `deny` they are conditions: the rule denies only calls meeting all of them,
     * and other calls go on to the next rule.
     */
    arguments: z.record(argumentPath, argumentConstraintSchema).optional(),
    /** Said to the client when the rule refuses a call. */
    reason: z.string().min(1).max(500).optional(),
  })
  .strict();

export const toolsetSchema = z
  .object({
    /** Servers whose every tool the client sees. */
    servers: globs.optional(),
    /** Further tools the client sees, as `<server><separator><tool>` globs. */
    tools: globs.optional(),
    /** Only tools a trusted server annotates `readOnlyHint: true`. */
    readOnly: z.boolean().default(false),
  })
  .strict();

export const LIMIT_KEYS = ['client', 'server', 'tool'] as const;

export const rateLimitSchema = z
  .object({
    id: z.string().min(1).max(64).optional(),
    ...matchFields,
    /** What gets a bucket of its own: `["client"]` is one per client, `["client", "tool"]` one per client and tool. */
    each: z.array(z.enum(LIMIT_KEYS)).default(['client']),
    /** This many calls per `perSeconds`, refilled evenly. */
    calls: z.number().int().min(1).max(1_000_000),
    perSeconds: z.number().positive().max(86_400),
    /** How many calls may come at once after a quiet spell; `calls` when left out. */
    burst: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

export const argumentLimitsSchema = z
  .object({
    /** Characters in any one string argument (the body limit, gateway.maxBodyBytes, bounds them anyway). */
    maxStringLength: z
      .number()
      .int()
      .min(1)
      .max(1_073_741_824)
      .default(16 * 1024 * 1024),
    /** Nesting of arrays and objects. */
    maxDepth: z.number().int().min(1).max(10_000).default(64),
    /** Items in any one array. */
    maxArrayItems: z.number().int().min(1).max(100_000_000).default(100_000),
  })
  .strict();

export const destructiveMode = z.enum(POLICY_ACTIONS, {
  error: 'must be "allow", "confirm" (ask the calling client\'s user first) or "deny"',
});

/** The tool lint a tool must pass to be listed and called (docs/policy.md, "Tool lint"). */
export const toolQualitySchema = z
  .object({
    /** Lint rules whose findings block a tool: it is left out of tools/list and its calls are refused. */
    block: z
      .array(z.enum(TOOL_LINT_RULE_IDS, { error: `must be one of: ${TOOL_LINT_RULE_IDS.join(', ')}` }))
      .default([]),
    /** Any finding at this severity or worse blocks the tool too. */
    blockSeverity: z.enum(LINT_SEVERITIES, { error: 'must be "error", "warning" or "info"' }).optional(),
  })
  .strict();

export const policySchema = z
  .object({
    /** What a call no rule matches gets. */
    defaultAction: z.enum(['allow', 'deny']).default('allow'),
    /** Checked in order; the first rule that matches a call decides it. */
    rules: z.array(policyRuleSchema).default([]),
    /** Per client name (`*` for clients not named): which tools it sees and may call. No entry: all of them. */
    toolsets: z.record(z.string().min(1), toolsetSchema).default({}),
    /** Only tools a trusted server annotates `readOnlyHint: true`, for every client. */
    readOnly: z.boolean().default(false),
    /** What happens to tools that may be destructive (MCP's default for a tool not annotated otherwise). */
    destructive: destructiveMode.default('allow'),
    /** Servers whose tool annotations are believed; others' claims of read-only or harmless are ignored. */
    trustedServers: z.array(glob).default([]),
    /** Checks arguments against the tool's own inputSchema before forwarding. */
    validateArguments: z.boolean().default(true),
    argumentLimits: argumentLimitsSchema.default(argumentLimitsSchema.parse({})),
    /** Token buckets; every limit matching a call must have a token for it. */
    rateLimits: z.array(rateLimitSchema).default([]),
    /** Calls in flight at once per server name (`*` for servers not named); the next is refused. */
    concurrency: z.record(z.string().min(1), z.number().int().min(1).max(100_000)).default({}),
    /** How long a confirmation waits for the user's answer. */
    confirmTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(120_000),
    /** Tools whose definitions fail these lint rules are hidden and refused. */
    toolQuality: toolQualitySchema.optional(),
    /** Each tool's definition is pinned when first seen; one that changes is hidden until approved (T28). */
    toolPinning: z.enum(['enforce', 'off'], { error: 'must be "enforce" or "off"' }).default('enforce'),
    /** What the description scan's flags do (T29): logged and shown, or the tool hidden and refused. */
    flaggedTools: z.enum(['warn', 'block'], { error: 'must be "warn" or "block"' }).default('warn'),
    /** Server → tool → the only definition hash allowed (`switchboard tools pins --json` prints them). */
    pinnedTools: z
      .record(
        z.string().min(1),
        z.record(
          z.string().min(1),
          z.string().regex(TOOL_HASH_PATTERN, 'must be "sha256:" followed by 64 lowercase hex digits'),
        ),
      )
      .default({}),
  })
  .strict();

export type PolicyConfig = z.infer<typeof policySchema>;
export type PolicyRule = z.infer<typeof policyRuleSchema>;
export type ArgumentConstraint = z.infer<typeof argumentConstraintSchema>;
export type Toolset = z.infer<typeof toolsetSchema>;
export type ToolQuality = z.infer<typeof toolQualitySchema>;
export type RateLimit = z.infer<typeof rateLimitSchema>;
export type ArgumentLimits = z.infer<typeof argumentLimitsSchema>;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];
