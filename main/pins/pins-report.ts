// The pins as a person reviews them: per tool, the approved hash, whether a changed definition waits for
// approval (with the diff), and the scanner's flags on the definition last seen. Built from the pin table alone,
// so `switchboard tools pins` shows the same with the gateway running (through it) or not (from the file).
import { scanToolDefinition, type DescriptionFlag } from '../policy/description-scan.ts';
import { diffDefinitions, type DefinitionChange } from './definition-diff.ts';
import type { PinTable } from './pin-store.ts';

export interface PinnedToolReport {
  readonly server: string;
  readonly tool: string;
  /** The approved definition's hash: what a team policy's `pinnedTools` names. */
  readonly hash: string;
  readonly approvedAt: string;
  /** A definition seen since that differs; the tool is hidden until it is approved. */
  readonly changed: { readonly hash: string; readonly seenAt: string; readonly diff: DefinitionChange[] } | null;
  /** Flags of the latest definition (the changed one when there is one). */
  readonly flags: DescriptionFlag[];
}

export interface PinsReport {
  /** Set when tool-pins.json cannot be read; then every tool is refused and `tools` is empty. */
  readonly error: string | null;
  readonly tools: PinnedToolReport[];
}

/**
 * The names by which a model could be sent to other servers' tools: the exposed `<server><separator><tool>`, and
 * the tool's own name when it looks like an identifier (`write_file`, `sendEmail`) and `server` has no tool of
 * that name; plain words such as `search` would flag ordinary prose.
 */
export function otherToolNames(
  server: string,
  listed: ReadonlyMap<string, readonly { readonly name: string }[]>,
  separator: string,
): string[] {
  const own = new Set((listed.get(server) ?? []).map((t) => t.name));
  const names: string[] = [];
  for (const [other, tools] of listed) {
    if (other === server) continue;
    for (const { name } of tools) {
      names.push(`${other}${separator}${name}`);
      if (!own.has(name) && /[_-]|[a-z][A-Z]/.test(name)) names.push(name);
    }
  }
  return names;
}

export function pinsReport(pins: PinTable, server: string | null, separator: string): PinsReport {
  const listed = new Map(
    [...pins].map(([name, tools]) => [name, [...tools.keys()].map((tool) => ({ name: tool }))] as const),
  );
  const tools: PinnedToolReport[] = [];
  for (const [name, records] of [...pins].sort(([a], [b]) => a.localeCompare(b))) {
    if (server !== null && name !== server) continue;
    const otherTools = otherToolNames(name, listed, separator);
    for (const [tool, record] of [...records].sort(([a], [b]) => a.localeCompare(b))) {
      const latest = record.changed ?? record.approved;
      tools.push({
        server: name,
        tool,
        hash: record.approved.hash,
        approvedAt: record.approved.at,
        changed:
          record.changed === undefined
            ? null
            : {
                hash: record.changed.hash,
                seenAt: record.changed.at,
                diff: diffDefinitions(record.approved.definition, record.changed.definition),
              },
        flags: scanToolDefinition(latest.definition, { otherTools }),
      });
    }
  }
  return { error: null, tools };
}
