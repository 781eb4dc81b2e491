// Why the team server refuses a request, as a closed set: each reason is a label of the refusal counters and the
// `reason` of the JSON answer `{error, reason}`, so a sender's log and the server's metrics name the same thing.
export type IngestReason =
  | 'oversized'
  | 'malformed'
  | 'schema-version'
  | 'schema'
  | 'token'
  | 'install-owner'
  | 'uid'
  | 'chain'
  | 'order'
  | 'busy'
  | 'draining'
  | 'database';

export interface Refusal {
  readonly status: number;
  readonly reason: IngestReason;
  readonly error: string;
}

export function refusal(status: number, reason: IngestReason, error: string): Refusal {
  return { status, reason, error };
}
