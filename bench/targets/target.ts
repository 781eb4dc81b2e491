// What the runner needs from each way of reaching the echo tool.
import type { Connection } from './connection.ts';

export interface Target {
  /** The row name in the report. */
  readonly name: string;
  /** The name the echo tool has through this target. */
  readonly tool: string;
  /** The process in front of the echo server whose CPU and memory are measured; null when there is none. */
  readonly pid: number | null;
  /** Opens a new client session. */
  connect(): Promise<Connection>;
  /** Stops every process the target started. */
  stop(): Promise<void>;
}

/** Processes get this long to announce themselves before the benchmark gives up on them. */
export const START_TIMEOUT_MS = 30_000;
