// `POST /audit/ingest`: the upload protocol of docs/audit.md from the receiving end. In order: the declared size
// (refused unread), the member token, a turn at the gate (429 when the queue is full), the body read to at most
// 4 MiB, JSON, the format's version, its shape, the chain of the batch, then one transaction. The answer is sent
// after COMMIT; a refusal stores nothing, is counted by its reason and says what is wrong.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { readBody } from '../gateway/http/body-reader.ts';
import { replyJson } from '../gateway/http/http-reply.ts';
import { readBatch } from './ingest-batch.ts';
import { checkBatchChain } from './ingest-chain.ts';
import type { IngestGate } from './ingest-gate.ts';
import { refusal, type Refusal } from './ingest-refusal.ts';
import { storeBatch } from './ingest-store.ts';
import { authenticate, bearerToken, type Member } from './members.ts';
import type { TeamMetrics } from './team-metrics.ts';

/** A sender's batch is at most about 1 MiB of record text; this leaves room and still bounds memory per request. */
export const MAX_INGEST_BYTES = 4 * 1024 * 1024;

export interface IngestDeps {
  readonly pool: pg.Pool;
  readonly gate: IngestGate;
  readonly metrics: TeamMetrics;
  readonly log: (message: string) => void;
}

export function replyRefusal(res: ServerResponse, r: Refusal, headers: Record<string, string> = {}): void {
  const retry: Record<string, string> = r.status === 429 || r.status === 503 ? { 'retry-after': '1' } : {};
  replyJson(res, r.status, { error: r.error, reason: r.reason }, { ...retry, ...headers });
}

async function ingest(req: IncomingMessage, deps: IngestDeps, member: Member) {
  const body = await readBody(req, MAX_INGEST_BYTES);
  if (!body.ok) {
    return body.reason === 'too-large'
      ? refusal(413, 'oversized', `the batch is over ${MAX_INGEST_BYTES} bytes; send fewer records per batch`)
      : null;
  }
  const read = readBatch(body.body);
  if (!read.ok) return read.refusal;
  const chained = checkBatchChain(read.batch.source.installId, read.batch.records);
  if (chained !== null) return chained;
  const stored = await storeBatch(deps.pool, read.batch, member);
  return stored.ok ? stored : stored.refusal;
}

export async function ingestRoute(req: IncomingMessage, res: ServerResponse, deps: IngestDeps): Promise<void> {
  const refuse = (r: Refusal): void => {
    deps.metrics.ingestRefused(r.reason);
    // Unread bytes of a refused body are not worth keeping the connection for.
    replyRefusal(res, r, r.status === 413 ? { connection: 'close' } : {});
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_INGEST_BYTES) {
    req.resume();
    return refuse(
      refusal(
        413,
        'oversized',
        `the batch is ${declared} bytes, over ${MAX_INGEST_BYTES}; send fewer records per batch`,
      ),
    );
  }
  let member: Member | null;
  try {
    member = await authenticate(deps.pool, bearerToken(req.headers.authorization));
  } catch (error) {
    req.resume();
    deps.log(`ingest: the database did not answer: ${(error as Error).message}`);
    return refuse(refusal(503, 'database', 'the team database is not answering; try again shortly'));
  }
  if (member === null) {
    req.resume();
    return refuse(
      refusal(401, 'token', 'the bearer token is missing, unknown or revoked; ask a team admin for a member token'),
    );
  }
  try {
    const turn = await deps.gate.run(() => ingest(req, deps, member));
    if (turn === null) {
      req.resume();
      return refuse(
        refusal(429, 'busy', 'the team server is taking as many batches as it can; send again after Retry-After'),
      );
    }
    const result = turn.value;
    if (result === null) return; // The sender went away mid-body: nobody to answer.
    if ('reason' in result) return refuse(result);
    deps.metrics.ingested(result.stored, result.duplicates, result.breaks);
    replyJson(res, 200, { stored: result.stored, duplicates: result.duplicates });
  } catch (error) {
    deps.log(`ingest: storing a batch failed: ${(error as Error).message}`);
    refuse(refusal(503, 'database', 'the team database failed to store the batch; nothing was stored, send it again'));
  }
}
