// Reading an upload batch (docs/audit.md, "The protocol, for a receiver"): JSON, then the format's version, then
// its shape, record by record as `UploadRecord` (main/audit/upload-wire.ts) with the `member` a shared gateway
// adds. Unknown fields are refused: every field is covered by the chain hash, so one this server does not know
// is one it could not check.
import { z } from 'zod';
import { AUDIT_KINDS, AUDIT_OUTCOMES } from '../audit/audit-event.ts';
import { UPLOAD_SCHEMA_VERSION } from '../audit/upload-wire.ts';
import { formatPath } from '../config/config-problems.ts';
import { refusal, type Refusal } from './ingest-refusal.ts';

/** More records than a sender's largest `batchSize` is not a batch a desktop sends. */
export const MAX_BATCH_RECORDS = 5_000;

const text = z.string().max(1_000_000).nullable();
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const count = z.number().int().min(0).nullable();

const recordSchema = z
  .object({
    uid: z.string().min(1).max(400),
    id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    ts: z.number().int().min(0),
    kind: z.enum(AUDIT_KINDS as [string, ...string[]]),
    method: text,
    outcome: z.enum(AUDIT_OUTCOMES),
    client: text,
    server: text,
    target: text,
    arguments: text,
    decision: text,
    rule: text,
    durationMs: z.number().nullable(),
    requestBytes: count,
    responseBytes: count,
    error: text,
    errorDetail: text,
    protocolVersion: text,
    sessionId: text,
    detail: z.record(z.string(), z.unknown()).nullable(),
    member: z.string().max(256).nullable().optional(),
    prevHash: hex64,
    hash: hex64,
  })
  .strict();

const batchSchema = z
  .object({
    schemaVersion: z.literal(UPLOAD_SCHEMA_VERSION),
    source: z
      .object({
        installId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be 1 to 128 letters, digits, ".", "_" or "-"'),
        host: z.string().max(256),
        version: z.string().max(64),
      })
      .strict(),
    records: z.array(recordSchema).min(1).max(MAX_BATCH_RECORDS),
  })
  .strict();

export type IngestRecord = z.infer<typeof recordSchema>;
export type IngestBatch = z.infer<typeof batchSchema>;

export type ReadBatch =
  { readonly ok: true; readonly batch: IngestBatch } | { readonly ok: false; readonly refusal: Refusal };

export function readBatch(body: Buffer): ReadBatch {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (error) {
    return { ok: false, refusal: refusal(400, 'malformed', `the body is not UTF-8 JSON: ${(error as Error).message}`) };
  }
  const version =
    typeof json === 'object' && json !== null ? (json as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (version !== UPLOAD_SCHEMA_VERSION) {
    return {
      ok: false,
      refusal: refusal(
        400,
        'schema-version',
        `schemaVersion ${JSON.stringify(version ?? null)} is not one this server reads (${UPLOAD_SCHEMA_VERSION}); upgrade the team server or the desktop`,
      ),
    };
  }
  const parsed = batchSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) => `${formatPath(i.path) || '(batch)'}: ${i.message}`);
    return {
      ok: false,
      refusal: refusal(400, 'schema', `the batch does not have the upload format: ${problems.join('; ')}`),
    };
  }
  return { ok: true, batch: parsed.data };
}
