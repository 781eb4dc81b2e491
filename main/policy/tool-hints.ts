// What policy believes about a tool from its annotations. Annotations are the server's own claims: a trusted
// server's are taken at their word (with MCP's defaults for what it leaves out: not read-only, destructive unless
// read-only), while an untrusted server's claims can only lower trust. Its tool counts as read-only never, and as
// destructive always, whatever it says (T60: annotations don't raise trust).
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

export interface ToolHints {
  readonly readOnly: boolean;
  readonly destructive: boolean;
  /** Set when the server claimed more safety than it is believed for: the note the audit record carries. */
  readonly ignored: string | null;
}

export const UNTRUSTED_NOTE = 'annotation ignored: untrusted server';

export function toolHints(tool: Pick<Tool, 'annotations'> | undefined, trusted: boolean): ToolHints {
  const annotations = tool?.annotations ?? {};
  if (trusted) {
    const readOnly = annotations.readOnlyHint === true;
    return { readOnly, destructive: !readOnly && annotations.destructiveHint !== false, ignored: null };
  }
  const claimed = annotations.readOnlyHint === true || annotations.destructiveHint === false;
  return { readOnly: false, destructive: true, ignored: claimed ? UNTRUSTED_NOTE : null };
}
