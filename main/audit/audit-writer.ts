// The main thread's handle on the audit writer thread (audit-writer-worker.ts): tells it how far the journal goes,
// waits, when a query must see every record, until the database has them, and starts a new writer if one dies
// (the journal still holds everything, so a new writer takes it from the start; inserting is idempotent).
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChainEnd } from './audit-journal.ts';
import { COUNTER_SLOTS, Counter, type FromWriter, type ToWriter, type WriterData } from './audit-writer-protocol.ts';

const WORKER_URL = new URL(`./audit-writer-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
const RESTART_MS = 1_000;
/**
 * How long new journal lines wait before the writer is told of them. Waking another thread costs the event loop
 * about as much as a pipe write, and each of the writer's transactions has a fixed cost that grows with the index
 * pages it touches: told at most this often, it takes a thousand or more calls' records per transaction under
 * load. Under the benchmark's load the writer thread spent 12.1 µs per call at 500 ms, against 16.3 µs at 100 ms.
 * The lines are already safe in the journal, and a query that needs them tells the writer at once.
 */
const WAKE_DELAY_MS = 500;

export interface AuditWriterOptions {
  readonly dbPath: string;
  readonly journalPath: string;
  /** The highest id the database and its text index hold when the writer starts. */
  readonly ingested: number;
  readonly indexed: number;
  /** Told when the database cannot be written (or the writer died), and with null once it can again. */
  readonly onFailure: (error: string | null) => void;
  /** Told how far into which generation of the journal the database has everything, and where its chain ends. */
  readonly onIngested: (generation: number, offset: number, last: ChainEnd) => void;
}

export class AuditWriter {
  readonly #options: AuditWriterOptions;
  readonly #counters = new BigInt64Array(new SharedArrayBuffer(COUNTER_SLOTS * 8));
  #worker: Worker | null = null;
  #target = { generation: 0, end: 0 };
  #closing = false;
  #restart: NodeJS.Timeout | null = null;
  #wakeTimer: NodeJS.Timeout | null = null;

  constructor(options: AuditWriterOptions) {
    this.#options = options;
    Atomics.store(this.#counters, Counter.Ingested, BigInt(options.ingested));
    Atomics.store(this.#counters, Counter.Indexed, BigInt(options.indexed));
    this.#start();
  }

  /** The journal now holds whole lines up to `end` of `generation`: the writer is told now. */
  wake(generation: number, end: number): void {
    this.#target = { generation, end };
    if (this.#wakeTimer !== null) clearTimeout(this.#wakeTimer);
    this.#wakeTimer = null;
    this.#send({ type: 'wake', generation, end });
  }

  /** The same, told within WAKE_DELAY_MS, together with whatever else is written meanwhile. */
  wakeSoon(generation: number, end: number): void {
    this.#target = { generation, end };
    this.#wakeTimer ??= setTimeout(() => this.wake(this.#target.generation, this.#target.end), WAKE_DELAY_MS).unref();
  }

  /** Whether the database holds every record up to `id`, waiting up to `timeoutMs` (this thread blocks). */
  waitIngested(id: number, timeoutMs: number): boolean {
    return this.#wait(Counter.Ingested, id, timeoutMs);
  }

  /** Resolves once the database and its text index hold every record up to `id`, without blocking this thread. */
  async whenStored(id: number): Promise<void> {
    for (const slot of [Counter.Ingested, Counter.Indexed]) {
      for (;;) {
        const current = Atomics.load(this.#counters, slot);
        if (current >= BigInt(id)) break;
        await Atomics.waitAsync(this.#counters, slot, current, 1_000).value;
      }
    }
  }

  /** Whether the text index holds every record up to `id`, waiting up to `timeoutMs` (this thread blocks). */
  waitIndexed(id: number, timeoutMs: number): boolean {
    return this.#wait(Counter.Indexed, id, timeoutMs);
  }

  /**
   * Lets the writer take in everything up to `end`, index it and close the database. True when the database then
   * holds every record up to `lastId`.
   */
  close(generation: number, end: number, lastId: number, timeoutMs: number): boolean {
    this.#closing = true;
    if (this.#restart !== null) clearTimeout(this.#restart);
    if (this.#wakeTimer !== null) clearTimeout(this.#wakeTimer);
    const worker = this.#worker;
    if (worker === null) return false;
    worker.postMessage({ type: 'close', generation, end } satisfies ToWriter);
    const closed = this.#wait(Counter.Closed, 1, timeoutMs, false);
    void worker.terminate();
    this.#worker = null;
    return closed && Atomics.load(this.#counters, Counter.Ingested) >= BigInt(lastId);
  }

  #start(): void {
    const data: WriterData = {
      dbPath: this.#options.dbPath,
      journalPath: this.#options.journalPath,
      counters: this.#counters.buffer as SharedArrayBuffer,
    };
    const worker = new Worker(WORKER_URL, { workerData: data, name: 'audit-writer' });
    // The journal keeps what the writer has not taken in; the writer never holds the process open.
    worker.unref();
    worker.on('message', (message: FromWriter) => {
      if (message.type === 'ingested') this.#options.onIngested(message.generation, message.offset, message.last);
      else this.#options.onFailure(message.error);
    });
    worker.on('error', (error) => {
      if (!this.#closing) this.#options.onFailure(`the audit writer failed: ${error.message}`);
    });
    worker.on('exit', () => {
      if (this.#closing || this.#worker !== worker) return;
      this.#worker = null;
      Atomics.store(this.#counters, Counter.Failing, 1n);
      this.#restart = setTimeout(() => {
        this.#restart = null;
        this.#start();
        this.wake(this.#target.generation, this.#target.end);
      }, RESTART_MS);
      this.#restart.unref();
    });
    this.#worker = worker;
    Atomics.store(this.#counters, Counter.Failing, 0n);
  }

  #send(message: ToWriter): void {
    this.#worker?.postMessage(message);
  }

  /** Blocks until the counter reaches `value`, the writer reports a failure (when `stopOnFailure`), or time is up. */
  #wait(slot: Counter, value: number, timeoutMs: number, stopOnFailure = true): boolean {
    const target = BigInt(value);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const current = Atomics.load(this.#counters, slot);
      if (current >= target) return true;
      if (stopOnFailure && Atomics.load(this.#counters, Counter.Failing) === 1n) return false;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      // Failing is set with a notify on its own slot; a short wait keeps noticing it.
      Atomics.wait(this.#counters, slot, current, Math.min(left, 50));
    }
  }
}
