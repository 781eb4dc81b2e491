// The audit upload's wire format, and what each answer of a receiver means for the sender. docs/audit.md
// ("Upload to a team collector") describes the same protocol for whoever writes a receiver; the two change
// together, and `UPLOAD_SCHEMA_VERSION` changes whenever a receiver would have to.
import type { AuditEvent } from './audit-event.ts';

/** The version of the record format below; a receiver refuses (400) a version it does not know. */
export const UPLOAD_SCHEMA_VERSION = 1;

export interface UploadSourceInfo {
  /** A random UUID made once per data directory (`install-id`): the same machine's trail keeps its name. */
  readonly installId: string;
  /** A label for people: the host name, or `audit.upload.label`. */
  readonly host: string;
  /** The Switchboard version that sent the batch. */
  readonly version: string;
}

/** One record on the wire: the stored record whole, plus its globally unique, idempotent `uid`. */
export type UploadRecord = AuditEvent & { readonly uid: string };

export interface UploadBatch {
  readonly schemaVersion: number;
  readonly source: UploadSourceInfo;
  /** In id order, consecutive but for gaps the local log has (retention, a cut tail). */
  readonly records: readonly UploadRecord[];
}

/**
 * `<installId>:<id>:<hash>`. The id alone repeats if a data directory's audit log is ever started afresh; the
 * chain hash (which covers the id, every field and the record before) does not, so a receiver that keys on `uid`
 * never takes one record for another, and a retried record is the same `uid` every time.
 */
export function recordUid(installId: string, event: Pick<AuditEvent, 'id' | 'hash'>): string {
  return `${installId}:${event.id}:${event.hash}`;
}

export function uploadBatch(source: UploadSourceInfo, events: readonly AuditEvent[]): UploadBatch {
  return {
    schemaVersion: UPLOAD_SCHEMA_VERSION,
    source,
    records: events.map((event) => ({ uid: recordUid(source.installId, event), ...event })),
  };
}

/** What the receiver said it did with a batch; both counts are optional in its answer. */
export interface UploadReceipt {
  readonly stored: number | null;
  readonly duplicates: number | null;
}

/** The receiver's JSON answer to a 2xx, read leniently: a 2xx is an acknowledgement whatever its body says. */
export function parseReceipt(body: string): UploadReceipt {
  try {
    const parsed = JSON.parse(body) as { stored?: unknown; duplicates?: unknown };
    const count = (value: unknown): number | null =>
      typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
    return { stored: count(parsed.stored), duplicates: count(parsed.duplicates) };
  } catch {
    return { stored: null, duplicates: null };
  }
}

/** A Retry-After answer is honoured up to this; a longer one is taken as this, so a typo cannot stall for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Milliseconds from `now` that Retry-After (delta-seconds or an HTTP date) asks for; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/**
 * What an answer means: `ok`, the batch is held and the cursor moves; `retry`, try the same batch again later
 * (after `afterMs` when the receiver said so); `stop`, the setup is wrong and retrying would only repeat it.
 */
export type UploadVerdict =
  | { readonly kind: 'ok' }
  | { readonly kind: 'retry'; readonly reason: string; readonly afterMs: number | null }
  | { readonly kind: 'stop'; readonly reason: string };

/** `detail` is a short, already masked excerpt of the receiver's body, shown with a refusal. */
export function judgeResponse(
  status: number,
  headers: { get(name: string): string | null },
  detail: string,
  now: number,
): UploadVerdict {
  const said = detail === '' ? '' : `: ${detail}`;
  if (status >= 200 && status <= 299) return { kind: 'ok' };
  if (status === 408 || status === 429 || status >= 500) {
    return {
      kind: 'retry',
      reason: `the receiver answered ${status}${said}`,
      afterMs: parseRetryAfter(headers.get('retry-after'), now),
    };
  }
  if (status >= 300 && status <= 399) {
    const location = headers.get('location');
    return {
      kind: 'stop',
      reason: `the receiver redirected (${status}) to ${location ?? 'nowhere'}; set the upload URL to the address it points to`,
    };
  }
  if (status === 401 || status === 403) {
    return {
      kind: 'stop',
      reason: `the receiver refused the upload with ${status}${said}; check the token (audit.upload.token, or the team's)`,
    };
  }
  if (status >= 400 && status <= 499) {
    return {
      kind: 'stop',
      reason: `the receiver refused the upload with ${status}${said}; check the upload URL and the receiver's version`,
    };
  }
  return { kind: 'retry', reason: `the receiver answered ${status}${said}`, afterMs: null };
}
