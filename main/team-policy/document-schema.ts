// The team policy document: the payload of the signed JWS a team publishes. Its `policy` section is config.json's
// `policy` schema itself (config/policy-schema.ts), so the team can say anything a local policy can and every new
// policy field is understood in both places; the rest are team settings (config/team-settings.ts reads them).
import { z } from 'zod';
import { policyRuleSchema, policySchema } from '../config/policy-schema.ts';
import { formatPath } from '../config/config-problems.ts';
import { uploadUrlSchema } from '../config/schema.ts';

const isoDate = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), { message: 'must be a date such as 2027-01-31T00:00:00Z' });

const semver = z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version such as 1.4.0');

/** An approved server: how it runs, which package versions it is pinned to, what secrets it needs. */
export const catalogServerSchema = z
  .object({
    description: z.string().max(500).optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** Package name → exact version the server must run (e.g. `{"@acme/mcp-fs": "1.2.3"}`). */
    packages: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Names of the secrets the server needs; their values are each machine's own. */
    secrets: z.array(z.string().min(1)).default([]),
    /** Rules the server comes with when added from the catalog. */
    rules: z.array(policyRuleSchema).default([]),
  })
  .strict()
  .refine((s) => (s.command === undefined) !== (s.url === undefined), {
    message: 'must give either "command" (a stdio server) or "url" (a remote one), not both',
  });

export const teamAuditSchema = z
  .object({
    /** Records are kept at most this long here; a shorter local `audit.retentionDays` wins. */
    retentionDays: z.number().int().min(1).max(36_500).optional(),
    maxRows: z.number().int().min(1_000).max(1_000_000_000).optional(),
    /** Where audit records are uploaded to: what config.json's `audit.upload.url` accepts (https, or http here). */
    uploadUrl: uploadUrlSchema.optional(),
    /**
     * The name of a secret each member keeps in their own vault (`switchboard secret set NAME`) whose value is
     * sent to `uploadUrl` as a bearer token; the document never holds the value.
     */
    uploadTokenSecret: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'must be a secret name (letters, digits, "_", "." and "-")')
      .optional(),
  })
  .strict();

export const teamDocumentSchema = z
  .object({
    /** Must be the team this machine enrolled in. */
    team: z.string().min(1).max(128),
    /** Grows with every document the team publishes; an older or equal one is never applied over a newer. */
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    issuedAt: isoDate.optional(),
    /** After this the document is stale: an alert is raised and `onExpiry` applies. */
    expiresAt: isoDate,
    /** While stale: `deny` refuses every call until a fresh document arrives; `keep` goes on enforcing this one. */
    onExpiry: z.enum(['deny', 'keep']).default('deny'),
    policy: policySchema.default(policySchema.parse({})),
    /** Tools nobody may call, as `<server><separator><tool>` globs; checked before the team's rules. */
    deniedTools: z.array(z.string().min(1)).default([]),
    /** The servers the team approves, by name. */
    servers: z.record(z.string().min(1).max(64), catalogServerSchema).default({}),
    audit: teamAuditSchema.default({}),
    /** The oldest Switchboard that may run this policy; an older one raises an alert. */
    minAppVersion: semver.optional(),
  })
  .strict();

export type TeamDocument = z.infer<typeof teamDocumentSchema>;
export type CatalogServer = z.infer<typeof catalogServerSchema>;

export type ParsedDocument = { ok: true; document: TeamDocument } | { ok: false; error: string };

/** Checks a payload against the schema; the error names the first few fields that are wrong. */
export function parseTeamDocument(payload: unknown): ParsedDocument {
  const parsed = teamDocumentSchema.safeParse(payload);
  if (parsed.success) return { ok: true, document: parsed.data };
  const problems = parsed.error.issues.slice(0, 3).map((i) => `${formatPath(i.path) || '(document)'} ${i.message}`);
  return { ok: false, error: problems.join('; ') };
}
