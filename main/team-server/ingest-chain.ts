// The checks of one batch that need nothing stored: each record's uid names it, its hash is the chain hash of its
// fields (the same `chainHash` `audit verify` uses, so the team server and the desktop agree on what a record
// is), ids ascend, and consecutive ids link. A record whose hash does not verify was changed after it was
// written, and a batch holding one is refused whole.
import { chainHash, type ChainFields } from '../audit/audit-chain.ts';
import { recordUid } from '../audit/upload-wire.ts';
import type { IngestRecord } from './ingest-batch.ts';
import { refusal, type Refusal } from './ingest-refusal.ts';

/** The fields the chain hash covers: the record without its uid and hashes, `detail` as the JSON text it was stored as. */
export function chainFieldsOf(record: IngestRecord): ChainFields {
  const { uid: _uid, prevHash: _prev, hash: _hash, detail, member, ...fields } = record;
  // `member` counts in the hash only when a shared gateway set it, so every desktop record verifies as it always did.
  const values = { ...fields, member: member ?? null, detail: detail === null ? null : JSON.stringify(detail) };
  return values as unknown as ChainFields;
}

/** Null when every record of the batch is what it says and the batch is one piece of one chain. */
export function checkBatchChain(installId: string, records: readonly IngestRecord[]): Refusal | null {
  let previous: IngestRecord | null = null;
  for (const record of records) {
    if (record.uid !== recordUid(installId, record)) {
      return refusal(
        400,
        'uid',
        `record ${record.id} has uid "${record.uid.slice(0, 200)}"; it must be "${recordUid(installId, record)}" (installId:id:hash)`,
      );
    }
    if (chainHash(record.prevHash, chainFieldsOf(record)) !== record.hash) {
      return refusal(
        400,
        'chain',
        `record ${record.id}'s hash does not match its fields: it was changed after it was written`,
      );
    }
    if (previous !== null) {
      if (record.id <= previous.id) {
        return refusal(
          400,
          'order',
          `record ${record.id} comes after record ${previous.id}; records must be in ascending id order`,
        );
      }
      if (record.id === previous.id + 1 && record.prevHash !== previous.hash) {
        return refusal(400, 'chain', `record ${record.id} does not link to record ${previous.id} of the same batch`);
      }
    }
    previous = record;
  }
  return null;
}
