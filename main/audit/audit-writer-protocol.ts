// What the audit log's main thread and its writer thread say to each other.
import type { ChainEnd } from './audit-journal.ts';

export interface WriterData {
  readonly dbPath: string;
  readonly journalPath: string;
  /** A SharedArrayBuffer of `Counter` slots, BigInt64 each. */
  readonly counters: SharedArrayBuffer;
}

/** Slots of the shared counters, which the writer sets and the main thread waits on. */
export const Counter = {
  /** The highest record id in the database. */
  Ingested: 0,
  /** The highest record id in the text index. */
  Indexed: 1,
  /** 1 while the database cannot be written. */
  Failing: 2,
  /** 1 once the writer has taken in everything and closed the database. */
  Closed: 3,
} as const;
export type Counter = (typeof Counter)[keyof typeof Counter];
export const COUNTER_SLOTS = 4;

/** The journal holds whole lines up to `end` in its `generation` (the number of times it was cut back). */
export type ToWriter =
  | { readonly type: 'wake'; readonly generation: number; readonly end: number }
  | { readonly type: 'close'; readonly generation: number; readonly end: number };

/** `ingested`: the database holds the journal up to `offset`, and its chain ends at `last`. */
export type FromWriter =
  | { readonly type: 'ingested'; readonly generation: number; readonly offset: number; readonly last: ChainEnd }
  | { readonly type: 'failure'; readonly error: string | null };
