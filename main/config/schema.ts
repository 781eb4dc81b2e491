// The shape of config.json: the one file a user (or the CLI, or the UI) edits to say what Switchboard runs.
// Everything from that file is untrusted until it passes this schema; the parsed types below are what the
// rest of the core sees, with every default filled in.
import { z } from 'zod';
import { SECRET_NAME_PATTERN, refsIn } from '../vault/secret-refs.ts';
import { TOKEN_REF, uploadUrlProblem } from '../audit/upload-target.ts';
import { describeValue } from './issue-messages.ts';
import { gatewayAuthSchema, publicHostSchema } from './gateway-auth-schema.ts';
import { policySchema } from './policy-schema.ts';
import { SERVER_ORIGINS } from '../supervisor/command-approval.ts';

/** Server names become the prefix of tool names and a URL path segment, so they are kept to a safe alphabet. */
export const SERVER_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

const serverName = z
  .string()
  .regex(
    SERVER_NAME_PATTERN,
    'must be 1-32 characters of a-z, 0-9 and "-", starting and ending with a letter or digit',
  );

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must start with a letter or "_" and contain only letters, digits and "_"');
const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be letters, digits and !#$%&'*+.^_`|~- only (no spaces or colons)");

/** A string that may hold `${secret:NAME}` references; a malformed reference is a config error, not a surprise at start. */
const referable = z.string().superRefine((text, ctx) => {
  const found = refsIn(text);
  if (!found.ok) ctx.addIssue({ code: 'custom', message: found.problem.message });
});

const secretName = z
  .string()
  .regex(
    SECRET_NAME_PATTERN,
    'must be 1-128 characters of A-Z, a-z, 0-9, "_", "." and "-", starting with a letter or "_"',
  );

const timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2027-01-31T00:00:00Z' });

/** What Switchboard knows about a secret besides its value, which is only ever in the vault. */
export const secretMetaSchema = z
  .object({
    created: timestamp,
    rotated: timestamp.optional(),
    expires: timestamp.optional(),
    lastUsed: timestamp.optional(),
  })
  .strict();

export const restartPolicySchema = z
  .object({
    /** `on-failure` restarts after a crash (non-zero exit or signal); `always` also after a clean exit. */
    mode: z.enum(['never', 'on-failure', 'always']).default('on-failure'),
    initialBackoffMs: z.number().int().min(10).max(600_000).default(1_000),
    maxBackoffMs: z.number().int().min(10).max(3_600_000).default(60_000),
    /** A crash loop is this many crashes within `crashWindowMs`; the server is then parked until restarted by hand. */
    maxCrashes: z.number().int().min(1).max(1_000).default(5),
    crashWindowMs: z.number().int().min(1_000).max(86_400_000).default(120_000),
  })
  .strict();

export const timeoutsSchema = z
  .object({
    /** From spawn (or connect) to a finished `initialize`. */
    startupMs: z.number().int().min(100).max(600_000).default(30_000),
    /** One tool call without progress; progress resets it. */
    callMs: z.number().int().min(100).max(3_600_000).default(60_000),
    /** One tool call in total, however much progress it reports. */
    callMaxTotalMs: z.number().int().min(100).max(86_400_000).default(600_000),
    /** Grace between each step of a stop: stdin closed, then SIGTERM, then SIGKILL. */
    stopGraceMs: z.number().int().min(10).max(60_000).default(2_000),
  })
  .strict();

export const healthSchema = z
  .object({
    intervalMs: z.number().int().min(100).max(3_600_000).default(30_000),
    timeoutMs: z.number().int().min(50).max(600_000).default(5_000),
    /** Consecutive failed pings after which a degraded server is restarted; 0 never restarts. */
    restartAfterFailures: z.number().int().min(0).max(100).default(3),
  })
  .strict();

/** Who shares one upstream instance of a server (gateway notes 1 and 2); `shared` is the default. */
export const ISOLATION_LEVELS = ['shared', 'per-client', 'per-session'] as const;

export const instancesSchema = z
  .object({
    /** Instances of an isolated server running at once; past this a new client or session is refused. */
    max: z.number().int().min(1).max(1_000).default(16),
    /** A `per-client` instance unused this long is stopped (a `per-session` one ends with its session). */
    idleMs: z
      .number()
      .int()
      .min(1_000)
      .max(86_400_000)
      .default(10 * 60_000),
  })
  .strict();

/** The default of a server's `maxMessageBytes` (16 MiB): four times the default request body limit. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** When a server's process (or connection) runs: from serve's start, or from its first use until it is idle. */
export const START_MODES = ['always', 'on-demand'] as const;

/** How long an on-demand server that nothing holds stays up after its last use (10 min). */
export const DEFAULT_IDLE_STOP_AFTER_MS = 10 * 60_000;

/**
 * Degraded mode: while the server is down, calls of these tools may be answered with the last good result for the
 * same arguments, labelled as cached with its age. Opt-in, because it is right only for answers that do not depend
 * on when the call is made.
 */
export const degradedSchema = z
  .object({
    /** The server's own tool names (globs) whose results may be served from the cache. */
    tools: z.array(z.string().min(1)).default([]),
    /** Also tools the server annotates both `readOnlyHint` and `idempotentHint` (its claim is taken for this). */
    hinted: z.boolean().default(false),
    /** How old a cached result may be and still be served. */
    maxAgeMs: z.number().int().min(1_000).max(604_800_000).default(3_600_000),
  })
  .strict();

export type DegradedSettings = z.infer<typeof degradedSchema>;

const serverCommon = {
  enabled: z.boolean().default(true),
  degraded: degradedSchema.optional(),
  /**
   * `always`: started with serve and kept running. `on-demand`: started by the first request that needs it and
   * stopped after `idleStopAfter` ms with nothing holding it; its lists are served from the cache meanwhile.
   * Absent means `always`, so configs written before this setting keep their behaviour; `server add` and the
   * dashboard write `on-demand` for new stdio servers.
   */
  start: z
    .enum(START_MODES, {
      error: (issue) =>
        `must be "always" (run from serve's start) or "on-demand" (start on first use, stop when idle), not ${describeValue(issue.input)}`,
    })
    .default('always'),
  /** Milliseconds an on-demand server with no call, subscription, stream or instance stays up before it stops. */
  idleStopAfter: z.number().int().min(100).max(86_400_000).default(DEFAULT_IDLE_STOP_AFTER_MS),
  /**
   * `shared`: one upstream connection for every client session. `per-client`: one per client token, stopped after
   * `instances.idleMs` unused. `per-session`: one per client session, stopped when the session ends. Catalogs
   * always come from the shared connection.
   */
  isolation: z
    .enum(ISOLATION_LEVELS, {
      error: (issue) =>
        `must be "shared" (one upstream for every client), "per-client" (one per client token) or "per-session" (one per client session), not ${describeValue(issue.input)}`,
    })
    .default('shared'),
  instances: instancesSchema.default(instancesSchema.parse({})),
  restart: restartPolicySchema.default(restartPolicySchema.parse({})),
  timeouts: timeoutsSchema.default(timeoutsSchema.parse({})),
  /**
   * The largest message read from the server: one stdout line, one JSON response body, one SSE event. Past it the
   * read stops; a stdio server is stopped, a remote call fails naming the limit (docs/limits.md).
   */
  maxMessageBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(1024 * 1024 * 1024)
    .default(DEFAULT_MAX_MESSAGE_BYTES),
  health: healthSchema.default(healthSchema.parse({})),
};

/**
 * The protocol era spoken to a server, remote or stdio. `auto` starts with `initialize` (2025-11-25 and before, as
 * any 2025 server expects) and moves to 2026-07-28 when the server refuses that with -32022 naming 2026-07-28 (a
 * stdio server is then spawned again); `2026-07-28` skips the refused handshake; `2025-11-25` never tries 2026-07-28.
 */
export const protocolSetting = z
  .enum(['auto', '2025-11-25', '2026-07-28'], {
    error: (issue) =>
      `must be "auto" (initialize, then 2026-07-28 if the server refuses it for that), "2025-11-25" (initialize and sessions only) or "2026-07-28" (server/discover, no sessions), not ${describeValue(issue.input)}`,
  })
  .default('auto');

export const stdioServerSchema = z
  .object({
    transport: z.literal('stdio').default('stdio'),
    command: z.string().min(1, 'must not be empty'),
    args: z.array(referable).default([]),
    env: z.record(envName, referable).default({}),
    cwd: z.string().min(1).optional(),
    protocol: protocolSetting,
    /**
     * Where the entry came from: `user` (typed here; the default) runs as it is; `import`, `team` and `link` run
     * only once their exact command is approved (`approvedCommand`), and again after any change to it.
     */
    origin: z
      .enum(SERVER_ORIGINS, {
        error: (issue) => `must be one of ${SERVER_ORIGINS.join(', ')}, not ${describeValue(issue.input)}`,
      })
      .default('user'),
    /** The fingerprint of the command a person approved (`switchboard server approve`); set by Switchboard. */
    approvedCommand: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, 'must be a fingerprint written by `switchboard server approve`')
      .optional(),
    ...serverCommon,
  })
  .strict();

/** How Switchboard signs in to a remote server that asks for OAuth; every field is optional. */
export const oauthSettingsSchema = z
  .object({
    /** A client registered by hand with the authorization server; without it Switchboard registers itself. */
    clientId: z.string().min(1).optional(),
    /** That client's secret, as a `${secret:NAME}` reference. */
    clientSecret: referable.optional(),
    /** A client ID metadata document URL (https), for authorization servers that accept one instead of registration. */
    clientMetadataUrl: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).optional(),
    /** Scopes to ask for when the server does not say which. */
    scope: z.string().min(1).optional(),
    /** Lets OAuth endpoints live on private or loopback addresses other than the server's own origin. */
    allowPrivateNetwork: z.boolean().default(false),
  })
  .strict();

export const remoteServerSchema = z
  .object({
    /** `http` tries Streamable HTTP and falls back to legacy SSE when that is all the server offers. */
    transport: z.enum(['http', 'sse']).default('http'),
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).pipe(referable),
    protocol: protocolSetting,
    headers: z.record(headerName, referable).default({}),
    /**
     * Link-local and cloud-metadata addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254) are refused unless this
     * is set: a URL from an import or a team policy must not reach the machine's cloud credentials.
     */
    allowLinkLocal: z.boolean().default(false),
    oauth: oauthSettingsSchema.default(oauthSettingsSchema.parse({})),
    ...serverCommon,
  })
  .strict();

export const serverSchema = z.union([stdioServerSchema, remoteServerSchema], {
  error: 'must have either "command" (a stdio server) or "url" (a remote server)',
});

export const DEFAULT_GATEWAY_PORT = 7345;

export const gatewaySchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(DEFAULT_GATEWAY_PORT),
    /** Between server and tool in an aggregated tool name: `<server><separator><tool>`. */
    toolSeparator: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,3}$/, 'must be 1-3 characters of A-Z, a-z, 0-9, "_", "." and "-"')
      .refine((s) => !/^[a-z0-9-]+$/.test(s) || s.includes('_') || s.includes('.'), {
        message: 'must contain "_" or "." so it can never occur inside a server name',
      })
      .default('__'),
    /** Browser origins allowed to call the gateway; requests without an Origin header are always served. */
    allowedOrigins: z.array(z.string()).default([]),
    /**
     * Host names the gateway answers to beyond loopback (behind an ingress), for the DNS-rebinding check; their
     * https:// origins are allowed too. Empty: loopback names only (docs/shared-gateway.md).
     */
    publicHosts: z.array(publicHostSchema).default([]),
    /** Who may call a shared gateway besides local client tokens: JWTs of an issuer, members of a team server. */
    auth: gatewayAuthSchema.default({}),
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(4 * 1024 * 1024),
    /**
     * Client connections held open at once; past it the oldest idle one is closed, or the new one when all are busy.
     * Keep it under the process's open-file limit (`ulimit -n`).
     */
    maxConnections: z.number().int().min(2).max(100_000).default(512),
    /** How long `tools/list` waits for servers that are still starting before answering without them. */
    listWaitMs: z.number().int().min(0).max(60_000).default(2_000),
    /** Items per page of a merged list (tools, prompts, resources, templates); longer lists get gateway cursors. */
    listPageSize: z.number().int().min(1).max(100_000).default(1_000),
    sessionIdleMs: z
      .number()
      .int()
      .min(1_000)
      .max(86_400_000)
      .default(30 * 60_000),
    /**
     * Sessions one client name may hold open; past it the least recently used idle one is closed, or the new one is
     * refused (429) when all are in use.
     */
    maxSessionsPerClient: z.number().int().min(1).max(100_000).default(100),
    /** In-flight calls get this long to finish on shutdown before they are cancelled. */
    drainMs: z.number().int().min(0).max(600_000).default(10_000),
    /**
     * How long a 2026-07-28 request answered `input_required` keeps its upstream request waiting for the client's
     * retry; then it is cancelled upstream. The upstream's own timeouts (`callMs` without progress) run meanwhile.
     */
    inputWaitMs: z.number().int().min(100).max(3_600_000).default(300_000),
    /** Requests one client token may have waiting for its input at once; past that a new one is refused. */
    maxWaitingInputs: z.number().int().min(1).max(10_000).default(32),
  })
  .strict();

/** An audit upload endpoint (upload-target.ts): config.json's `audit.upload.url` and the team's `audit.uploadUrl`. */
export const uploadUrlSchema = z.string().superRefine((text, ctx) => {
  const problem = uploadUrlProblem(text);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * Sending the audit trail to a team's collector (main/audit/audit-uploader.ts). Off without a `url` here or one
 * from the team's policy, which wins; the pace settings apply to either.
 */
export const auditUploadSchema = z
  .object({
    /** https://, or http:// to this machine only. */
    url: uploadUrlSchema.optional(),
    /** Sent as `Authorization: Bearer …` to `url` only; a `${secret:NAME}` reference, the value in the vault. */
    token: z
      .string()
      .regex(
        TOKEN_REF,
        'must be a secret reference such as "${secret:AUDIT_UPLOAD_TOKEN}"; store the value with `switchboard secret set AUDIT_UPLOAD_TOKEN`',
      )
      .optional(),
    /** Records per request at most (a batch also stops at 1 MiB). */
    batchSize: z.number().int().min(1).max(5_000).default(500),
    /** How often the log is looked at for new records once everything is sent. */
    intervalMs: z.number().int().min(100).max(3_600_000).default(5_000),
    /** One request, sending to answered. */
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** The first wait after a failure, doubled per failure up to `maxBackoffMs`, with jitter. */
    initialBackoffMs: z.number().int().min(10).max(600_000).default(1_000),
    maxBackoffMs: z.number().int().min(10).max(3_600_000).default(300_000),
    /** The host label a receiver shows for this machine; its host name when absent. */
    label: z.string().min(1).max(200).optional(),
  })
  .strict();

export const auditSchema = z
  .object({
    /** Records older than this are removed (the chain stays verifiable: its anchor moves with the cut). */
    retentionDays: z.number().int().min(1).max(36_500).default(90),
    /** At most this many records are kept; the oldest go first. */
    maxRows: z.number().int().min(1_000).max(1_000_000_000).default(10_000_000),
    upload: auditUploadSchema.default(auditUploadSchema.parse({})),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1).default(1),
    gateway: gatewaySchema.default(gatewaySchema.parse({})),
    servers: z.record(serverName, serverSchema).default({}),
    audit: auditSchema.default(auditSchema.parse({})),
    /** Who may call what, with which arguments and how often (main/policy/). */
    policy: policySchema.default(policySchema.parse({})),
    /** Where secret values are kept: the OS keychain, or the opt-in encrypted file `vault.enc`. */
    vault: z.enum(['keychain', 'file']).default('keychain'),
    secrets: z.record(secretName, secretMetaSchema).default({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type GatewayConfig = z.infer<typeof gatewaySchema>;
export type ServerConfig = z.infer<typeof serverSchema>;
export type StdioServerConfig = z.infer<typeof stdioServerSchema>;
export type RemoteServerConfig = z.infer<typeof remoteServerSchema>;
export type RestartPolicy = z.infer<typeof restartPolicySchema>;
export type Timeouts = z.infer<typeof timeoutsSchema>;
export type HealthPolicy = z.infer<typeof healthSchema>;
export type Isolation = (typeof ISOLATION_LEVELS)[number];
export type StartMode = (typeof START_MODES)[number];
export type InstancesPolicy = z.infer<typeof instancesSchema>;
export type SecretMeta = z.infer<typeof secretMetaSchema>;
export type VaultBackend = Config['vault'];
export type AuditUploadConfig = z.infer<typeof auditUploadSchema>;

export function isStdioServer(server: ServerConfig): server is StdioServerConfig {
  return server.transport === 'stdio';
}
