// The hash chain that makes edits, deletions and reorderings of audit records detectable. Each record's hash covers
// the previous record's hash and every field of its own, its id included, in a fixed order: changing any field,
// removing a record or swapping two breaks the link at that record. `member` came later and is appended to the
// hashed values only when it is set, so every record without one (all a desktop writes) hashes as it always did.
import { hash } from 'node:crypto';
import type { AuditEvent } from './audit-event.ts';

/** The previous hash of the very first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Every stored field but the hashes, in the order they are hashed; `member` may be left out when there is none. */
export type ChainFields = Omit<AuditEvent, 'prevHash' | 'hash' | 'detail' | 'member'> & {
  readonly detail: string | null;
  readonly member?: string | null;
};

/**
 * The fields in chain order, which is also the order of the table's columns up to `detail` (then prev_hash, hash
 * and member); a non-null member follows `detail`.
 */
export function chainValues(fields: ChainFields): unknown[] {
  const values = [
    fields.id,
    fields.ts,
    fields.kind,
    fields.method,
    fields.outcome,
    fields.client,
    fields.server,
    fields.target,
    fields.arguments,
    fields.decision,
    fields.rule,
    fields.durationMs,
    fields.requestBytes,
    fields.responseBytes,
    fields.error,
    fields.errorDetail,
    fields.protocolVersion,
    fields.sessionId,
    fields.detail,
  ];
  if (fields.member !== undefined && fields.member !== null) values.push(fields.member);
  return values;
}

export function chainHash(prevHash: string, fields: ChainFields): string {
  return chainHashOfJson(prevHash, JSON.stringify(chainValues(fields)));
}

/** The same hash from the fields' JSON (a journal line is that JSON), for a writer that has it anyway. */
export function chainHashOfJson(prevHash: string, valuesJson: string): string {
  return hash('sha256', `${prevHash}\n${valuesJson}`);
}
