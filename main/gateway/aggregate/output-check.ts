// A tool that declares an `outputSchema` promises structured results that match it (MCP: servers MUST), and clients
// act on `structuredContent` as typed data. The gateway holds the server to that promise before the result leaves:
// a result without `structuredContent`, or with one the schema rejects, becomes an error naming the server and the
// tool, and the invalid data never reaches the client (security test T66). The SDK client toward upstreams does not
// check this on the gateway's path (it forwards with a pass-through result schema), nor does the client-facing
// Server, so this is the one place it is checked. Tool errors (`isError`) are not held to the schema.
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ArgumentProblem, SchemaValidator } from '../../policy/schema-validator.ts';

export type OutputCheck =
  | { readonly ok: true; readonly note: string | null }
  | { readonly ok: false; readonly message: string; readonly problems: readonly ArgumentProblem[] };

/**
 * Whether the result keeps the tool's outputSchema. `where` names server and tool (`server "fs", tool "stats"`).
 * A schema that cannot be compiled leaves the result unchecked, with a note for the audit record.
 */
export function checkToolOutput(
  definition: Tool | undefined,
  result: CallToolResult,
  validator: SchemaValidator,
  where: string,
): OutputCheck {
  const schema = definition?.outputSchema;
  if (schema === undefined || result.isError === true) return { ok: true, note: null };
  const headline = `${where}: the server's result was withheld because`;
  if (result.structuredContent === undefined) {
    const problems = [{ path: 'structuredContent', message: 'is missing' }];
    return {
      ok: false,
      message: `${headline} it has no structuredContent, though the tool declares an outputSchema`,
      problems,
    };
  }
  const checked = validator.check(schema, result.structuredContent);
  if (checked.ok === true) return { ok: true, note: null };
  if (checked.ok === 'unchecked') return { ok: true, note: `not checked: ${checked.reason}` };
  const problems = checked.problems.map((p) => ({ ...p, path: p.path.replace(/^arguments/, 'structuredContent') }));
  const listed = problems.map((p) => `${p.path} ${p.message}`).join('; ');
  return {
    ok: false,
    message: `${headline} its structuredContent does not match the tool's outputSchema: ${listed}`,
    problems,
  };
}
