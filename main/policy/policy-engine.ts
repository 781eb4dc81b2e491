// The policy service: decides, on every tools/call before anything reaches a server, whether the call may go on,
// and which tools each client sees in tools/list; likewise for prompts/get, resources/read and completions, and
// the prompts and resources each client sees in their lists. The order of checks on a call:
//   1. toolset: a tool outside the client's toolset is unknown to it; then the tool's lint (policy.toolQuality);
//   2. argument limits (sizes, depth), then the rules (first match), then the tool's own inputSchema;
//   3. read-only mode, and the destructive mode for calls no rule decided;
//   4. rate limits, then confirmation by the user where asked for, then the server's concurrency cap.
// A prompt or resource request goes through the same steps without the tool's own (1: only its server counts;
// 2: no inputSchema; 3: reading is not destructive).
// Before all but the toolset, the tool's definition: a team's `policy.pinnedTools` hash, then the local pins and
// the description scan (a DefinitionGate); a tool refused there is hidden too.
// Every answer names the rule that made it, for the audit record. Holds no I/O of its own except resolving path
// arguments; the clock, home directory and definition gate are injected.
import { EventEmitter } from 'node:events';
import { homedir } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { formatPath } from '../config/config-problems.ts';
import type { PolicyConfig, Toolset } from '../config/policy-schema.ts';
import { checkArgumentLimits } from './argument-limits.ts';
import { confirmRequest, type Confirmer } from './confirmation.ts';
import { globMatcher, type NameMatcher } from './glob.ts';
import type { DefinitionGate, GateRefusal } from './definition-gate.ts';
import { ConcurrencyCaps, RateLimiter, type CompiledLimit } from './rate-limiter.ts';
import {
  applies,
  compileRules,
  decideByRules,
  kindMatchers,
  listableByRules,
  type CompiledRule,
  type RuleDecision,
  type RuleSubject,
} from './rules.ts';
import { SchemaValidator, type ArgumentProblem } from './schema-validator.ts';
import { systemLookup, type Lookup } from './public-url.ts';
import { toolDefinitionHash } from './tool-definition-hash.ts';
import { toolHints, type ToolHints } from './tool-hints.ts';
import { blockingFindings, lintServerTools, type LintFinding } from './tool-lint.ts';

/** A prompts/get, resources/read or completion/complete request, as policy sees it. */
export interface PolicyRequest {
  readonly client: string;
  readonly server: string;
  readonly kind: 'prompt' | 'resource';
  /** The prompt as its server names it, or the resource URI (a URI template, for a completion). */
  readonly name: string;
  /** The prompt's arguments, `{ uri }` for a read, `{ argument, context }` for a completion. */
  readonly args: unknown;
  readonly confirm: Confirmer;
}

export interface PolicyCall {
  readonly client: string;
  readonly server: string;
  /** The server's own name for the tool. */
  readonly tool: string;
  readonly definition: Tool | undefined;
  readonly args: unknown;
  /** Asks the calling client's user; null when the client cannot be asked. */
  readonly confirm: Confirmer;
}

/** How a refused call is answered: a tool error the model can act on, or a JSON-RPC error. */
export type Refusal =
  | { readonly kind: 'tool-error'; readonly text: string; readonly problems?: readonly ArgumentProblem[] }
  | { readonly kind: 'unknown-tool' }
  | { readonly kind: 'refused'; readonly message: string; readonly data: Record<string, unknown> };

export type Admission =
  | {
      readonly ok: true;
      readonly rule: string;
      readonly detail: Record<string, unknown> | null;
      /** Frees the call's concurrency slot; call once the call has ended. */
      readonly release: () => void;
    }
  | {
      readonly ok: false;
      readonly rule: string;
      readonly outcome: 'denied' | 'throttled' | 'unknown-tool';
      readonly refusal: Refusal;
      readonly detail: Record<string, unknown> | null;
    };

export type PolicyEngineEvents = { changed: [] };

interface Compiled {
  readonly policy: PolicyConfig;
  readonly rules: CompiledRule[];
  readonly limits: CompiledLimit[];
  readonly trusted: NameMatcher;
  readonly toolsets: ReadonlyMap<string, { set: Toolset; servers: NameMatcher; tools: NameMatcher }>;
}

export interface PolicyEngineOptions {
  readonly policy: PolicyConfig;
  /** Between server and tool in the names rules match: `<server><separator><tool>`. */
  readonly separator: string;
  readonly now?: () => number;
  /** What `~` means in path arguments. */
  readonly home?: string;
  /** How host names in `publicUrl` arguments are resolved (the system resolver unless given). */
  readonly lookup?: Lookup;
  /**
   * A tool's lint findings, for policy.toolQuality. The gateway passes its catalog's, which also knows the rules
   * that compare a server's tools with each other (name-collision); without it each tool is linted alone.
   */
  readonly findings?: (server: string, tool: Tool) => readonly LintFinding[];
  /** Local tool pins and the description scan; none for a policy evaluated away from a gateway. */
  readonly definitions?: DefinitionGate;
}

export class PolicyEngine extends EventEmitter<PolicyEngineEvents> {
  readonly #separator: string;
  readonly #home: string;
  readonly #lookup: Lookup;
  readonly #findings: (server: string, tool: Tool) => readonly LintFinding[];
  readonly #validator = new SchemaValidator();
  readonly #limiter: RateLimiter;
  readonly #caps = new ConcurrencyCaps();
  readonly #definitions: DefinitionGate | null;
  #compiled: Compiled;

  constructor(options: PolicyEngineOptions) {
    super();
    // Every open session listens for changes.
    this.setMaxListeners(0);
    this.#separator = options.separator;
    this.#home = options.home ?? homedir();
    this.#lookup = options.lookup ?? systemLookup;
    this.#findings =
      options.findings ?? ((server, tool) => lintServerTools(server, options.separator, [tool])[0]!.findings);
    this.#limiter = new RateLimiter(options.now);
    this.#compiled = compile(options.policy);
    this.#definitions = options.definitions ?? null;
    // An approval shows a tool again.
    this.#definitions?.on('changed', () => this.emit('changed'));
  }

  /** A new policy (config.json changed); sessions are told their tool lists may differ. */
  setPolicy(policy: PolicyConfig): void {
    if (isDeepStrictEqual(policy, this.#compiled.policy)) return;
    this.#compiled = compile(policy);
    this.emit('changed');
  }

  /** Whether the client sees the tool in tools/list. */
  visible(client: string, server: string, tool: Tool): boolean {
    const c = this.#compiled;
    const exposed = this.#exposed(server, tool.name);
    const toolset = toolsetOf(c, client);
    if (toolset !== undefined && !inToolset(toolset, server, exposed)) return false;
    if (this.#definitionRefusal(server, tool.name, tool) !== null) return false;
    if (this.#blocked(c, server, tool).length > 0) return false;
    const hints = toolHints(tool, c.trusted(server));
    if ((c.policy.readOnly || toolset?.set.readOnly === true) && !hints.readOnly) return false;
    const subject: RuleSubject = { client, server, kind: 'tool', name: exposed };
    // A tool that policy.destructive refuses whenever no rule names it is as good as absent.
    if (c.policy.destructive === 'deny' && hints.destructive && !c.rules.some((r) => applies(r, subject))) return false;
    return listableByRules(c.rules, subject, c.policy.defaultAction);
  }

  /** Whether the client sees a prompt (by its server's name for it) or a resource in its lists. */
  visibleItem(client: string, server: string, kind: PolicyRequest['kind'], name: string): boolean {
    const c = this.#compiled;
    const toolset = toolsetOf(c, client);
    if (toolset !== undefined && !serverInToolset(toolset, server)) return false;
    const subject: RuleSubject = { client, server, kind, name: this.#named(server, kind, name) };
    return listableByRules(c.rules, subject, c.policy.defaultAction);
  }

  /** Decides a prompt, resource or completion request, as `admit` does a tool call. */
  async admitRequest(request: PolicyRequest): Promise<Admission> {
    const c = this.#compiled;
    const named = this.#named(request.server, request.kind, request.name);
    const subject: RuleSubject = { client: request.client, server: request.server, kind: request.kind, name: named };
    const toolset = toolsetOf(c, request.client);
    const inSet = toolset === undefined || serverInToolset(toolset, request.server);
    // Outside the toolset the request is answered as for one that does not exist; it is a refusal all the same.
    const byRule = await this.#byRules(subject, request.args, inSet ? null : 'denied');
    if (!('action' in byRule)) return byRule;
    const action = request.kind === 'prompt' ? `get prompt ${named}` : `read ${named}`;
    const confirmBy = byRule.action === 'confirm' ? byRule.rule : null;
    return this.#throttleAndConfirm({ ...request, action }, subject, byRule.rule, confirmBy, null);
  }

  async admit(call: PolicyCall): Promise<Admission> {
    const c = this.#compiled;
    const exposed = this.#exposed(call.server, call.tool);
    const subject: RuleSubject = { client: call.client, server: call.server, kind: 'tool', name: exposed };
    const toolset = toolsetOf(c, call.client);
    const inSet = toolset === undefined || inToolset(toolset, call.server, exposed);
    if (inSet) {
      const definition = this.#definitionRefusal(call.server, call.tool, call.definition);
      if (definition !== null) {
        return {
          ok: false,
          rule: definition.rule,
          outcome: 'denied',
          refusal: {
            kind: 'refused',
            message: `${exposed}: ${definition.reason}`,
            data: { ...definition.data, rule: definition.rule },
          },
          detail: null,
        };
      }
    }
    const blocked = !inSet || call.definition === undefined ? [] : this.#blocked(c, call.server, call.definition);
    if (blocked.length > 0) return qualityRefusal(exposed, blocked);
    const byRule = await this.#byRules(subject, call.args, inSet ? null : 'unknown-tool');
    if (!('action' in byRule)) return byRule;

    const hints = toolHints(call.definition, c.trusted(call.server));
    let detail: Record<string, unknown> | null = hints.ignored === null ? null : { annotations: hints.ignored };
    const schema = call.definition?.inputSchema;
    if (c.policy.validateArguments && schema !== undefined) {
      const checked = this.#validator.check(schema, call.args ?? {});
      if (checked.ok === false) {
        return argumentRefusal('inputSchema', `the arguments do not match ${exposed}'s input schema`, checked.problems);
      }
      // A schema ajv cannot compile is the server's problem; its calls go on unchecked, and the record says so.
      if (checked.ok === 'unchecked') detail = { ...detail, inputSchema: `not checked: ${checked.reason}` };
    }

    const readOnly = readOnlyRule(c, toolset, call.client);
    if (readOnly !== null && !hints.readOnly) {
      return refused(readOnly, 'denied', readOnlyMessage(exposed, readOnly, hints), detail);
    }
    let confirmBy: string | null = byRule.action === 'confirm' ? byRule.rule : null;
    let rule = byRule.rule;
    if (!byRule.matched && hints.destructive && c.policy.destructive !== 'allow') {
      rule = 'policy.destructive';
      if (c.policy.destructive === 'deny') {
        return refused(
          rule,
          'denied',
          `${exposed} may be destructive, and ${destructiveWhy(hints)} policy.destructive is "deny"`,
          detail,
        );
      }
      confirmBy = rule;
    }
    return this.#throttleAndConfirm({ ...call, action: `call ${exposed}` }, subject, rule, confirmBy, detail);
  }

  /**
   * The first steps of every request: the toolset (`outside` is the outcome for a request outside it, null when
   * inside), argument limits, the rules. A refusal, or the rules' decision to go on with.
   */
  async #byRules(
    subject: RuleSubject,
    args: unknown,
    outside: 'denied' | 'unknown-tool' | null,
  ): Promise<Extract<Admission, { ok: false }> | Exclude<RuleDecision, { action: 'deny' }>> {
    const c = this.#compiled;
    if (outside !== null) {
      const rule = toolsetName(c, subject.client);
      return { ok: false, rule, outcome: outside, refusal: { kind: 'unknown-tool' }, detail: null };
    }
    const limit = checkArgumentLimits(args, c.policy.argumentLimits);
    if (limit !== null) return argumentRefusal('policy.argumentLimits', 'the arguments are too large', [limit]);
    const context = { validator: this.#validator, home: this.#home, lookup: this.#lookup };
    const byRule = await decideByRules(c.rules, subject, args, c.policy.defaultAction, context);
    if (byRule.action !== 'deny') return byRule;
    if (byRule.problems !== null) return argumentRefusal(byRule.rule, byRule.reason, byRule.problems);
    return refused(byRule.rule, 'denied', `${subject.name}: ${byRule.reason}`);
  }

  /** The steps every admitted request ends with: rate limits, the user's confirmation, the concurrency cap. */
  async #throttleAndConfirm(
    call: Pick<PolicyCall, 'client' | 'server' | 'args' | 'confirm'> & { readonly action: string },
    subject: RuleSubject,
    rule: string,
    confirmBy: string | null,
    detail: Record<string, unknown> | null,
  ): Promise<Admission> {
    const c = this.#compiled;
    const exposed = subject.name;
    const limited = this.#limiter.take(c.limits, subject);
    if (!limited.ok) {
      return {
        ok: false,
        rule: limited.rule,
        outcome: 'throttled',
        refusal: {
          kind: 'refused',
          message: `${exposed}: ${limited.message}`,
          data: { rule: limited.rule, retryAfterMs: limited.retryAfterMs },
        },
        detail,
      };
    }

    let confirmed: Record<string, unknown> | null = null;
    if (confirmBy !== null) {
      const asked = await this.#confirm(call, confirmBy, c.policy.confirmTimeoutMs);
      if (asked !== null) return { ...asked, detail: { ...detail, ...asked.detail } };
      confirmed = { confirmation: 'accepted' };
    }

    const cap = c.policy.concurrency[call.server] ?? c.policy.concurrency['*'];
    let release = (): void => {};
    if (cap !== undefined) {
      const slot = this.#caps.acquire(call.server, cap);
      const name = `policy.concurrency${c.policy.concurrency[call.server] === undefined ? '["*"]' : `.${call.server}`}`;
      if (slot === null) {
        return {
          ok: false,
          rule: name,
          outcome: 'throttled',
          refusal: {
            kind: 'refused',
            message: `${exposed}: server "${call.server}" already has ${cap} calls in flight (${name}); retry when one of them has finished`,
            data: { rule: name, limit: cap },
          },
          detail,
        };
      }
      release = slot;
    }
    const merged = detail === null && confirmed === null ? null : { ...detail, ...confirmed };
    return { ok: true, rule, detail: merged, release };
  }

  /** Null when the user accepted; the refusal otherwise. */
  async #confirm(
    call: Pick<PolicyCall, 'client' | 'server' | 'args' | 'confirm'> & { readonly action: string },
    rule: string,
    timeoutMs: number,
  ): Promise<Extract<Admission, { ok: false }> | null> {
    const why = `${call.action} needs the user's confirmation (${rule})`;
    if (call.confirm === null) {
      return refused(
        rule,
        'denied',
        `${why}, and this client cannot be asked: it did not declare the elicitation capability. Use a client that supports elicitation, or change the policy.`,
        { confirmation: 'unavailable' },
      );
    }
    const answer = await call.confirm(confirmRequest(call, rule, timeoutMs));
    if (answer.answer === 'accept') return null;
    if (answer.answer === 'unavailable') {
      return refused(rule, 'denied', `${why}, and asking failed: ${answer.reason}`, { confirmation: 'unavailable' });
    }
    const text = `${why}, and the user ${answer.answer === 'decline' ? 'declined' : 'dismissed'} it; it was not done.`;
    return {
      ok: false,
      rule,
      outcome: 'denied',
      refusal: { kind: 'tool-error', text },
      detail: { confirmation: answer.answer === 'decline' ? 'declined' : 'cancelled' },
    };
  }

  /** The findings that make policy.toolQuality block the tool; none without that section. */
  #blocked(c: Compiled, server: string, tool: Tool): LintFinding[] {
    const bar = c.policy.toolQuality;
    if (bar === undefined || (bar.block.length === 0 && bar.blockSeverity === undefined)) return [];
    return blockingFindings(this.#findings(server, tool), bar);
  }

  /** A team's pinned hash first (it holds whatever was approved here), then the local gate. */
  /** A call to a tool with no known definition is checked by name only: a team pin then cannot match. */
  #definitionRefusal(server: string, name: string, tool: Tool | undefined): GateRefusal | null {
    const expected = this.#compiled.policy.pinnedTools[server];
    if (expected !== undefined && Object.hasOwn(expected, name)) {
      const hash = tool === undefined ? null : toolDefinitionHash(tool);
      if (expected[name] !== hash) {
        return {
          rule: formatPath(['policy', 'pinnedTools', server, name]),
          reason: `definition changed since approval: ${hash === null ? 'it is not known' : `its hash is ${hash}`}, and the policy allows only ${expected[name]}`,
          data: { expected: expected[name], current: hash },
        };
      }
    }
    return tool === undefined ? null : (this.#definitions?.check(server, tool) ?? null);
  }

  #exposed(server: string, tool: string): string {
    return `${server}${this.#separator}${tool}`;
  }

  /** What rules match: a prompt as `/mcp` names it, a resource by its URI. */
  #named(server: string, kind: PolicyRequest['kind'], name: string): string {
    return kind === 'prompt' ? this.#exposed(server, name) : name;
  }
}

function compile(policy: PolicyConfig): Compiled {
  return {
    policy,
    rules: compileRules(policy.rules),
    limits: policy.rateLimits.map((limit, index) => ({
      name: limit.id ?? `policy.rateLimits[${index}]`,
      key: `${index}:${JSON.stringify(limit)}`,
      limit,
      clients: globMatcher(limit.clients),
      servers: globMatcher(limit.servers),
      kinds: kindMatchers(limit),
    })),
    trusted: globMatcher(policy.trustedServers),
    toolsets: new Map(
      Object.entries(policy.toolsets).map(([client, set]) => [
        client,
        { set, servers: globMatcher(set.servers ?? []), tools: globMatcher(set.tools ?? []) },
      ]),
    ),
  };
}

type CompiledToolset = NonNullable<ReturnType<Compiled['toolsets']['get']>>;

function toolsetOf(c: Compiled, client: string): CompiledToolset | undefined {
  return c.toolsets.get(client) ?? c.toolsets.get('*');
}

/** A toolset naming neither servers nor tools limits nothing (it may still be read-only). */
function inToolset(toolset: CompiledToolset, server: string, exposed: string): boolean {
  if (toolset.set.servers === undefined && toolset.set.tools === undefined) return true;
  return toolset.servers(server) || toolset.tools(exposed);
}

/** A server's prompts and resources are the client's when its toolset names the server, or limits nothing. */
function serverInToolset(toolset: CompiledToolset, server: string): boolean {
  if (toolset.set.servers === undefined && toolset.set.tools === undefined) return true;
  return toolset.servers(server);
}

/** `policy.toolsets.cursor`, or `policy.toolsets["*"]` for a client without a toolset of its own. */
function toolsetName(c: Compiled, client: string): string {
  return formatPath(['policy', 'toolsets', c.toolsets.has(client) ? client : '*']);
}

function readOnlyRule(c: Compiled, toolset: CompiledToolset | undefined, client: string): string | null {
  if (c.policy.readOnly) return 'policy.readOnly';
  if (toolset?.set.readOnly === true) return `${toolsetName(c, client)}.readOnly`;
  return null;
}

function readOnlyMessage(exposed: string, rule: string, hints: ToolHints): string {
  const why =
    hints.ignored === null ? 'it is not annotated readOnlyHint' : `its server is not trusted (${hints.ignored})`;
  return `${exposed}: only read-only tools may be called (${rule}), and ${why}`;
}

function destructiveWhy(hints: ToolHints): string {
  return hints.ignored === null ? '' : `its server is not trusted (${hints.ignored}), and `;
}

function refused(
  rule: string,
  outcome: 'denied' | 'throttled',
  message: string,
  detail: Record<string, unknown> | null = null,
): Extract<Admission, { ok: false }> {
  return { ok: false, rule, outcome, refusal: { kind: 'refused', message, data: { rule } }, detail };
}

/** A tool the quality bar blocks is refused as a tool, naming each lint rule it fails and where. */
function qualityRefusal(exposed: string, blocked: readonly LintFinding[]): Extract<Admission, { ok: false }> {
  const rule = 'policy.toolQuality';
  const rules = [...new Set(blocked.map((f) => f.rule))];
  const lint = blocked.map((f) => ({ rule: f.rule, path: f.path }));
  return {
    ok: false,
    rule,
    outcome: 'denied',
    refusal: {
      kind: 'refused',
      message: `${exposed}: refused by ${rule}: its definition fails lint rule ${rules.join(', ')} (${blocked.map((f) => f.message).join('; ')})`,
      data: { rule, lint },
    },
    detail: { toolQuality: lint },
  };
}

function argumentRefusal(
  rule: string,
  headline: string,
  problems: readonly ArgumentProblem[],
): Extract<Admission, { ok: false }> {
  const lines = problems.map((p) => `- ${p.path}: ${p.message}`).join('\n');
  return {
    ok: false,
    rule,
    outcome: 'denied',
    refusal: { kind: 'tool-error', text: `Switchboard refused the call: ${headline} (${rule}).\n${lines}`, problems },
    detail: { problems },
  };
}
