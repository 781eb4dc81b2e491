// Tool pinning (the rug-pull defence, T28) and the gateway's use of description scanning (T29). Every tool is
// pinned on first sight: its definition's hash is kept in tool-pins.json. A later definition that differs is
// recorded as changed, announced (log warning, `tool-definition-changed` event), and the tool is hidden and
// refused until a user approves it; neither a restart of the server nor of Switchboard brings it back, since
// the pin outlives both. The policy engine asks `check` about every listed and called tool.
import { EventEmitter } from 'node:events';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolCatalog } from '../gateway/aggregate/tool-catalog.ts';
import type { Logger } from '../log/logger.ts';
import { describeFlag, scanToolDefinition, type DescriptionFlag } from '../policy/description-scan.ts';
import type { DefinitionGate, GateRefusal } from '../policy/definition-gate.ts';
import { definitionOf, toolDefinitionHash } from '../policy/tool-definition-hash.ts';
import { otherToolNames, pinsReport, type PinsReport } from './pins-report.ts';
import { readPinFile, writePinFile, type PinRecord, type PinTable, type SeenDefinition } from './pin-store.ts';

export interface PinSettings {
  readonly toolPinning: 'enforce' | 'off';
  readonly flaggedTools: 'warn' | 'block';
}

export interface DefinitionChanged {
  readonly server: string;
  readonly tool: string;
  readonly hash: string;
}

export type ToolPinsEvents = {
  /** Which tools are hidden may differ (an approval, a new flag): sessions' lists are to be read again. */
  changed: [];
  definitionChanged: [change: DefinitionChanged];
};

export type ApproveResult =
  | { readonly ok: true; readonly approved: readonly string[] }
  | { readonly ok: false; readonly status: number; readonly error: string };

export interface ToolPinsOptions {
  readonly file: string;
  readonly logger: Logger;
  /** The current `policy.toolPinning` and `policy.flaggedTools` (config.json is hot-reloaded). */
  readonly settings: () => PinSettings;
  /** The separator of exposed names, which the scanner looks for in descriptions too. */
  readonly separator: string;
  readonly now?: () => Date;
}

export class ToolPins extends EventEmitter<ToolPinsEvents> implements DefinitionGate {
  readonly #file: string;
  readonly #logger: Logger;
  readonly #settings: () => PinSettings;
  readonly #separator: string;
  readonly #now: () => Date;
  /** Null when tool-pins.json could not be read: then every tool is refused (fail closed) and nothing is written. */
  readonly #pins: PinTable | null;
  readonly #broken: string | null;
  /** Each server's tools as last listed, for the scanner's view of other servers' names. */
  readonly #listed = new Map<string, readonly Tool[]>();
  readonly #flags = new Map<string, { hash: string; context: number; flags: DescriptionFlag[] }>();
  /** Bumped whenever any server's list changes, since that changes which names are other servers'. */
  #context = 0;
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;

  private constructor(options: ToolPinsOptions, read: Awaited<ReturnType<typeof readPinFile>>) {
    super();
    this.setMaxListeners(0);
    this.#file = options.file;
    this.#logger = options.logger;
    this.#settings = options.settings;
    this.#separator = options.separator;
    this.#now = options.now ?? (() => new Date());
    this.#pins = read.ok ? read.pins : null;
    this.#broken = read.ok ? null : read.error;
  }

  static async open(options: ToolPinsOptions): Promise<ToolPins> {
    const read = await readPinFile(options.file);
    if (!read.ok)
      options.logger.error('tool pins cannot be read; every tool is refused until fixed', { error: read.error });
    return new ToolPins(options, read);
  }

  /** A server's tools as just listed (on first listing, list_changed, or a later read that differs). */
  observe(server: string, tools: readonly Tool[]): void {
    this.#listed.set(server, tools);
    this.#context += 1;
    let changed = false;
    for (const tool of tools) {
      if (this.#settings().toolPinning === 'enforce' && this.#see(server, tool)) changed = true;
      // Scanned as soon as listed, so a flag is in the log before any client sees the tool.
      this.flagsOf(server, tool);
    }
    if (changed) this.emit('changed');
  }

  /** Observes every list the catalog reads, so a change is recorded (and announced) as soon as it is listed. */
  follow(catalog: ToolCatalog): void {
    catalog.on('changed', (server) => {
      const tools = catalog.definitions(server);
      if (tools !== undefined) this.observe(server, tools);
    });
  }

  /** A server left the configuration: its tools no longer count as other servers' names. */
  forget(server: string): void {
    this.#listed.delete(server);
    this.#context += 1;
  }

  check(server: string, tool: Tool): GateRefusal | null {
    const settings = this.#settings();
    if (settings.toolPinning === 'enforce') {
      if (this.#pins === null) {
        return { rule: 'tool-pinning', reason: `tool pins cannot be checked: ${this.#broken}`, data: {} };
      }
      if (this.#see(server, tool)) this.emit('changed');
      const record = this.#pins.get(server)?.get(tool.name);
      if (record !== undefined && record.approved.hash !== toolDefinitionHash(tool)) {
        return {
          rule: 'tool-pinning',
          reason: `definition changed since approval; review the change and approve it (switchboard tools pins ${server} --changed, then switchboard tools approve ${server} ${tool.name}, or the dashboard's Tools page)`,
          data: { approved: record.approved.hash, current: toolDefinitionHash(tool) },
        };
      }
    }
    if (settings.flaggedTools === 'block') {
      const flags = this.flagsOf(server, tool);
      if (flags.length > 0) {
        return {
          rule: 'policy.flaggedTools',
          reason: `its definition is flagged (${flags.map(describeFlag).join('; ')}), and policy.flaggedTools is "block"`,
          data: { flags },
        };
      }
    }
    return null;
  }

  /** The scanner's flags for the tool as defined now; new flags are logged once per definition. */
  flagsOf(server: string, tool: Tool): DescriptionFlag[] {
    const hash = toolDefinitionHash(tool);
    const at = key(server, tool.name);
    const known = this.#flags.get(at);
    if (known !== undefined && known.hash === hash && known.context === this.#context) return known.flags;
    const flags = scanToolDefinition(definitionOf(tool), {
      otherTools: otherToolNames(server, this.#listed, this.#separator),
    });
    this.#flags.set(at, { hash, context: this.#context, flags });
    if (flags.length > 0 && known?.hash !== hash) {
      this.#logger.warn('a tool definition is flagged by the description scan', {
        server,
        tool: tool.name,
        flags: flags.map(describeFlag),
        mode: this.#settings().flaggedTools,
      });
    }
    return flags;
  }

  /** Pins a tool seen for the first time, or records a new definition of a pinned one; true when hiding changed. */
  #see(server: string, tool: Tool): boolean {
    if (this.#pins === null) return false;
    const hash = toolDefinitionHash(tool);
    let tools = this.#pins.get(server);
    if (tools === undefined) this.#pins.set(server, (tools = new Map()));
    const record = tools.get(tool.name);
    // Asked on every list; only a first sighting or a new definition needs the copy.
    const seen = (): SeenDefinition => ({ hash, definition: definitionOf(tool), at: this.#now().toISOString() });
    if (record === undefined) {
      tools.set(tool.name, { approved: seen() });
      this.#save();
      return false;
    }
    if (record.approved.hash === hash) {
      // The server went back to what was approved.
      if (record.changed === undefined) return false;
      tools.set(tool.name, { approved: record.approved });
      this.#save();
      return true;
    }
    if (record.changed?.hash === hash) return false;
    const wasHidden = record.changed !== undefined;
    tools.set(tool.name, { approved: record.approved, changed: seen() });
    this.#save();
    this.#logger.warn('a tool definition changed since approval; the tool is hidden until approved', {
      server,
      tool: tool.name,
      approved: record.approved.hash,
      current: hash,
    });
    this.emit('definitionChanged', { server, tool: tool.name, hash });
    return !wasHidden;
  }

  /** Approves the changed definitions of the named tools (all changed tools of the server when `tools` is null). */
  approve(server: string, tools: readonly string[] | null): ApproveResult {
    if (this.#pins === null) return { ok: false, status: 409, error: `nothing can be approved: ${this.#broken}` };
    const pinned = this.#pins.get(server);
    if (pinned === undefined) {
      const known = [...this.#pins.keys()];
      return {
        ok: false,
        status: 404,
        error: `no pinned tools of a server "${server}"; servers with pins: ${known.length === 0 ? 'none' : known.join(', ')}`,
      };
    }
    const outcome = approveIn(pinned, server, tools);
    if (!outcome.ok) return outcome;
    if (outcome.approved.length > 0) {
      this.#save();
      this.#logger.info('tool definitions approved', { server, tools: outcome.approved });
      this.emit('changed');
    }
    return outcome;
  }

  /** Pins and flags, for `switchboard tools pins` and the dashboard. */
  report(server: string | null): PinsReport {
    if (this.#pins === null) return { error: this.#broken, tools: [] };
    return pinsReport(this.#pins, server, this.#separator);
  }

  /** Resolves once every write asked for so far is on disk. */
  flush(): Promise<void> {
    return this.#writing;
  }

  #save(): void {
    if (this.#dirty) return;
    this.#dirty = true;
    // Writes follow one another; a burst of first sightings makes one write of the whole table.
    this.#writing = this.#writing.then(async () => {
      this.#dirty = false;
      try {
        await writePinFile(this.#file, this.#pins!);
      } catch (error) {
        this.#logger.error('tool pins could not be written; approvals of this run may be lost', {
          file: this.#file,
          error: (error as Error).message,
        });
      }
    });
  }
}

function key(server: string, tool: string): string {
  return JSON.stringify([server, tool]);
}

/** Moves each named tool's changed definition to approved, in place; refuses names that are not pinned. */
export function approveIn(
  pinned: Map<string, PinRecord>,
  server: string,
  tools: readonly string[] | null,
): ApproveResult {
  const names = tools ?? [...pinned].filter(([, r]) => r.changed !== undefined).map(([name]) => name);
  const unknown = names.filter((name) => !pinned.has(name));
  if (unknown.length > 0) {
    return {
      ok: false,
      status: 404,
      error: `server "${server}" has no pinned tool named ${unknown.map((n) => JSON.stringify(n)).join(', ')}; pinned: ${[...pinned.keys()].join(', ')}`,
    };
  }
  const approved: string[] = [];
  for (const name of names) {
    const record = pinned.get(name)!;
    if (record.changed === undefined) continue;
    pinned.set(name, { approved: record.changed });
    approved.push(name);
  }
  return { ok: true, approved };
}
