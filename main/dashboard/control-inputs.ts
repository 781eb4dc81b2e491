// What each control call accepts: an input from a renderer (over IPC) or a browser (over HTTP) is outside input,
// checked here once for both transports before the core sees it. A refusal names the call and each bad field.
import { z } from 'zod';
import {
  CONTROL_METHODS,
  type Answer,
  type ControlApi,
  type ControlInput,
  type ControlMethod,
  type FieldProblem,
} from '../../preload/contract.ts';
import { AUDIT_OUTCOMES } from '../audit/audit-event.ts';
import { MAX_PAGE } from '../audit/audit-query.ts';
import { CLIENT_IDS } from '../clients/client-registry.ts';
import { SERVER_NAME_PATTERN } from '../config/schema.ts';

const none = z.object({}).strict();
const clientId = z.enum(CLIENT_IDS, { error: `must be one of ${CLIENT_IDS.join(', ')}` });
const name = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');
const newServerName = z
  .string()
  .regex(
    SERVER_NAME_PATTERN,
    'must be 1-32 characters of a-z, 0-9 and "-", starting and ending with a letter or digit',
  );
const text = z.string().max(512, 'must be at most 512 characters');
const whole = z.number().int('must be a whole number').min(0, 'must be 0 or more').max(Number.MAX_SAFE_INTEGER);
const stringMap = z.record(z.string().max(256), z.string().max(8192)).default({});

const serverInput = z.discriminatedUnion(
  'transport',
  [
    z
      .object({
        transport: z.literal('stdio'),
        command: z.string().min(1, 'must not be empty').max(4096),
        args: z.array(z.string().max(8192)).max(256).default([]),
        env: stringMap,
        cwd: z.string().min(1).max(4096).optional(),
        enabled: z.boolean().default(true),
        start: z.enum(['always', 'on-demand']).optional(),
      })
      .strict(),
    z
      .object({
        transport: z.enum(['http', 'sse']),
        url: z.string().min(1, 'must not be empty').max(4096),
        headers: stringMap,
        enabled: z.boolean().default(true),
        start: z.enum(['always', 'on-demand']).optional(),
      })
      .strict(),
  ],
  { error: 'transport must be "stdio", "http" or "sse"' },
);

const SCHEMAS: { readonly [M in ControlMethod]: z.ZodType } = {
  status: none,
  serverAction: z.object({ name, action: z.enum(['start', 'stop', 'restart']) }).strict(),
  serverConfig: z.object({ name }).strict(),
  saveServer: z.object({ name: newServerName, server: serverInput, replace: z.boolean() }).strict(),
  removeServer: z.object({ name }).strict(),
  logs: z.object({ name, lines: z.number().int().min(1).max(5_000) }).strict(),
  catalog: none,
  callTool: z
    .object({ name: z.string().min(1).max(512), arguments: z.record(z.string(), z.unknown()).default({}) })
    .strict(),
  audit: z
    .object({
      client: text.optional(),
      server: text.optional(),
      tool: text.optional(),
      outcome: z.enum(AUDIT_OUTCOMES).optional(),
      text: text.optional(),
      since: whole.optional(),
      until: whole.optional(),
      before: whole.optional(),
      limit: z.number().int().min(1).max(MAX_PAGE, `must be at most ${MAX_PAGE}`).optional(),
    })
    .strict(),
  auditRecord: z.object({ id: whole }).strict(),
  metrics: z.object({ minutes: z.number().int().min(1).max(10_080), server: text.optional() }).strict(),
  secrets: none,
  setSecret: z
    .object({
      name,
      value: z
        .string()
        .min(1, 'must not be empty')
        .max(64 * 1024),
      expires: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
    })
    .strict(),
  removeSecret: z.object({ name }).strict(),
  clients: none,
  ideClients: none,
  connectClient: z.object({ id: clientId, url: z.boolean().optional() }).strict(),
  disconnectClient: z.object({ id: clientId }).strict(),
  doctorClient: z.object({ id: clientId }).strict(),
  importPreview: z.object({ id: clientId }).strict(),
  importApply: z
    .object({ id: clientId, only: z.array(z.string().min(1).max(256)).max(1000).optional(), replace: z.boolean() })
    .strict(),
  policy: none,
  settings: none,
  toolPins: z.object({ server: name.optional() }).strict(),
  serverApproval: z.object({ name }).strict(),
  approveServer: z
    .object({ name, fingerprint: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: and 64 hex digits') })
    .strict(),
  declineServer: z.object({ name }).strict(),
  signIn: z.object({ name }).strict(),
  approveTools: z.object({ server: name, tools: z.array(name).min(1).max(10_000).optional() }).strict(),
};

export function isControlMethod(method: string): method is ControlMethod {
  return Object.hasOwn(CONTROL_METHODS, method);
}

function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    // A secret's value must not come back in an error, so a refused value is described, never echoed.
    message: issue.message,
  }));
}

/** The input of `method` when it is well-formed, defaults filled in; otherwise each problem by field. */
export function checkInput<M extends ControlMethod>(method: M, input: unknown): Answer<ControlInput<M>> {
  const parsed = SCHEMAS[method].safeParse(input ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as ControlInput<M> };
  const problems = problemsOf(parsed.error);
  const summary = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
  return { ok: false, error: `${method}: ${summary}`, problems };
}

/** Makes one call with a checked input: both transports come through here, so they accept the same inputs. */
export async function invokeControl(api: ControlApi, method: ControlMethod, input: unknown): Promise<Answer<unknown>> {
  const checked = checkInput(method, input);
  if (!checked.ok) return checked;
  return (api[method] as (input: unknown) => Promise<Answer<unknown>>)(checked.value);
}
