// What the policy engine asks about a tool's definition before listing or admitting it: whether the definition
// is still the one a user approved and whether the description scan lets it through (main/pins/tool-pins.ts).
// An interface here, so the engine holds no file of its own and a team policy is evaluated without one.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

export interface GateRefusal {
  /** Names the refusal in the audit record and the error's `data.rule`. */
  readonly rule: string;
  /** Why, completing "<server>__<tool>: …". */
  readonly reason: string;
  readonly data: Record<string, unknown>;
}

export interface DefinitionGate {
  /** Null when the tool may be listed and called as defined now. */
  check(server: string, tool: Tool): GateRefusal | null;
  /** Which tools the gate refuses has changed (an approval): lists are to be read again. */
  on(event: 'changed', listener: () => void): unknown;
}
