// Audit records as a desktop uploads them, made here rather than by a core: consecutive ids, each hashed over the
// one before with the same `chainHash` the audit log uses, with their uids, so a test or a benchmark can send
// real chains (and break them on purpose) to a team server.
import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, chainHash } from '../../main/audit/audit-chain.ts';
import type { AuditEvent } from '../../main/audit/audit-event.ts';
import { UPLOAD_SCHEMA_VERSION, recordUid, type UploadRecord } from '../../main/audit/upload-wire.ts';

export interface Chain {
  readonly installId: string;
  /** The id and hash the next record links to. */
  lastId: number;
  lastHash: string;
}

export function newChain(installId: string = randomUUID()): Chain {
  return { installId, lastId: 0, lastHash: GENESIS_HASH };
}

/** The next `count` records of `chain` (advancing it); `more` sets fields of every record before it is hashed. */
export function nextRecords(chain: Chain, count: number, more: Partial<AuditEvent> = {}): UploadRecord[] {
  const out: UploadRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = chain.lastId + 1;
    const fields = {
      id,
      ts: 1_790_000_000_000 + id,
      kind: 'request' as const,
      method: 'tools/call',
      outcome: 'ok' as const,
      client: 'cursor',
      server: 'github',
      target: 'search_issues',
      arguments: JSON.stringify({ q: `label:bug ${id}` }),
      decision: 'allow',
      rule: 'default',
      durationMs: 12.5,
      requestBytes: 120,
      responseBytes: 2048,
      error: null,
      errorDetail: null,
      protocolVersion: '2025-11-25',
      sessionId: 'session-1',
      detail: { team: { version: 3 } } as Record<string, unknown> | null,
      member: null as string | null,
      ...more,
    };
    const hash = chainHash(chain.lastHash, {
      ...fields,
      detail: fields.detail === null ? null : JSON.stringify(fields.detail),
    });
    const event: AuditEvent = { ...fields, prevHash: chain.lastHash, hash };
    out.push({ uid: recordUid(chain.installId, event), ...event });
    chain.lastId = id;
    chain.lastHash = hash;
  }
  return out;
}

export function batchOf(chain: Chain, records: readonly UploadRecord[], host = 'test-host'): string {
  return JSON.stringify({
    schemaVersion: UPLOAD_SCHEMA_VERSION,
    source: { installId: chain.installId, host, version: '0.1.0' },
    records,
  });
}
