// What a server-to-client request of a legacy upstream becomes for a 2026-07-28 client: an embedded input request
// of an `input_required` result (spec 2026-07-28, basic/patterns/mrtr), the capability the client must have declared
// for it, and the check its answer passes before it goes back upstream. The capability rule is the SDK's own for
// embedded requests (its seam refuses an `input_required` result that breaks it): URL-mode elicitation needs
// `elicitation.url`, form mode `elicitation.form` (a bare `elicitation: {}` counts as form), sampling with tools
// `sampling.tools`, roots `roots`.
import {
  CreateMessageResultSchema,
  CreateMessageResultWithToolsSchema,
  ElicitResultSchema,
  ListRootsResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { ClientCapabilities, InputRequest } from '@modelcontextprotocol/server';

/**
 * The `_meta` key under which an upstream may name the key its request gets in `inputRequests`. Legacy requests
 * carry no key; without this the gateway names them `<kind>-<n>`. A name already used in the same flow, or not a
 * plain identifier, is not taken.
 */
export const INPUT_KEY_META = 'dev.switchboard/inputKey';

const KEY_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export type InputMethod = 'elicitation/create' | 'sampling/createMessage' | 'roots/list';

const KINDS: Readonly<Record<InputMethod, string>> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

export function isInputMethod(method: string): method is InputMethod {
  return Object.hasOwn(KINDS, method);
}

/** The short name keys are minted from: `elicitation`, `sampling` or `roots`. */
export function kindOf(method: InputMethod): string {
  return KINDS[method];
}

/** The key an upstream asked for in `_meta`, when it is usable as one. */
export function hintedKey(params: Record<string, unknown> | undefined): string | null {
  const meta = params?._meta as Record<string, unknown> | undefined;
  const hint = meta?.[INPUT_KEY_META];
  return typeof hint === 'string' && KEY_PATTERN.test(hint) ? hint : null;
}

/**
 * The upstream's request as an embedded input request: its method and params, without the gateway's key hint,
 * and without a URL-mode elicitation's `elicitationId`: 2026-07-28 removed it with
 * `notifications/elicitation/complete` (changelog, minor change 11), since the answer belongs to the flow and the
 * retry's result is what says the out-of-band step is done. The upstream's id stays with its own request.
 */
export function embeddedRequest(method: InputMethod, params: Record<string, unknown> | undefined): InputRequest {
  if (params === undefined) return { method } as InputRequest;
  const { _meta, ...rest } = params;
  if (method === 'elicitation/create' && rest.mode === 'url') delete rest.elicitationId;
  const meta = { ...(_meta as Record<string, unknown> | undefined) };
  delete meta[INPUT_KEY_META];
  return { method, params: Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest } as InputRequest;
}

/** The client capabilities an embedded request needs. */
export function requiredCapabilities(
  method: InputMethod,
  params: Record<string, unknown> | undefined,
): Record<string, Record<string, object>> {
  switch (method) {
    case 'elicitation/create':
      return params?.mode === 'url' ? { elicitation: { url: {} } } : { elicitation: { form: {} } };
    case 'sampling/createMessage':
      return params?.tools !== undefined || params?.toolChoice !== undefined
        ? { sampling: { tools: {} } }
        : { sampling: {} };
    case 'roots/list':
      return { roots: {} };
  }
}

/** What of `required` the client did not declare, in the `ClientCapabilities` shape; null when nothing is missing. */
export function missingCapabilities(
  required: Readonly<Record<string, Record<string, object>>>,
  declared: ClientCapabilities | undefined,
): Record<string, Record<string, object>> | null {
  const missing: Record<string, Record<string, object>> = {};
  for (const [capability, members] of Object.entries(required)) {
    const value = (declared as Record<string, unknown> | undefined)?.[capability];
    if (typeof value !== 'object' || value === null) {
      missing[capability] = members;
      continue;
    }
    const declaredMembers = value as Record<string, unknown>;
    const bareElicitation =
      capability === 'elicitation' && declaredMembers.form === undefined && declaredMembers.url === undefined;
    const absent = Object.keys(members).filter(
      (member) => declaredMembers[member] === undefined && !(bareElicitation && member === 'form'),
    );
    if (absent.length > 0) missing[capability] = Object.fromEntries(absent.map((member) => [member, {}]));
  }
  return Object.keys(missing).length > 0 ? missing : null;
}

/**
 * Why `value` cannot be the answer to an embedded request, or null when it can: the answer goes upstream as the
 * result of the upstream's own request, so it must be what the upstream's revision expects for that method.
 */
export function answerProblem(
  method: InputMethod,
  params: Record<string, unknown> | undefined,
  value: unknown,
): string | null {
  const schema =
    method === 'elicitation/create'
      ? ElicitResultSchema
      : method === 'roots/list'
        ? ListRootsResultSchema
        : params?.tools !== undefined
          ? CreateMessageResultWithToolsSchema
          : CreateMessageResultSchema;
  const parsed = schema.safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
  return `not a ${method} result${where}: ${issue?.message ?? 'invalid'}`;
}
