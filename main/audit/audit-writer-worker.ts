// The audit writer's thread: moves records from the journal into the database and the text index, so neither the
// chain's hashes, the commits, the index nor SQLite's checkpoints ever hold the gateway's event loop. It reads
// only what the main thread says the journal holds, in whole lines, links each record to the one before it
// (audit-journal.ts), and tells the main thread how far the database has got through shared counters (for
// queries that must see every record) and messages (for cutting the journal back, and for the head file).
import { closeSync, openSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openAuditDb } from './audit-db.ts';
import { journalChunks, rowIngester, type ChainEnd } from './audit-journal.ts';
import { AuditTextIndex } from './audit-text-index.ts';
import { Counter, type FromWriter, type ToWriter, type WriterData } from './audit-writer-protocol.ts';

const RETRY_MS = 1_000;

/**
 * The writer yields the processor to the event loop's thread: on Linux a thread has its own nice value, and this
 * one is lowered, so on a busy machine the kernel runs the gateway first and the journal absorbs the delay.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, WRITER_NICE);
  } catch {
    // Not Linux, or not allowed: the writer runs at the process's priority.
  }
}

const WRITER_NICE = 10;
const data = workerData as WriterData;
lowerPriority();
const port = parentPort!;
const counters = new BigInt64Array(data.counters);

function post(message: FromWriter): void {
  port.postMessage(message);
}

function setCounter(index: Counter, value: bigint): void {
  Atomics.store(counters, index, value);
  Atomics.notify(counters, index);
}

const opened = openAuditDb(data.dbPath);
if (!opened.ok) {
  setCounter(Counter.Failing, 1n);
  post({ type: 'failure', error: opened.error });
  throw new Error(opened.error);
}
const db = opened.db;
const ingest = rowIngester(db);
const text = new AuditTextIndex(db);
const journal = openSync(data.journalPath, 'r');

let generation = 0;
let offset = 0;
let target = { generation: 0, end: 0 };
/** Where the chain ends in the database after the last transaction, for the head file; none before the first. */
let last: ChainEnd = { id: -1, hash: '' };
let acked = { generation: -1, offset: -1, lastId: -1 };
let scheduled = false;
let retry: NodeJS.Timeout | null = null;
let failing = false;

function setFailure(error: string | null): void {
  if ((error !== null) === failing) return;
  failing = error !== null;
  setCounter(Counter.Failing, failing ? 1n : 0n);
  post({ type: 'failure', error });
}

function schedule(): void {
  if (scheduled || retry !== null) return;
  scheduled = true;
  setImmediate(run);
}

function run(): void {
  scheduled = false;
  try {
    if (target.generation !== generation) {
      generation = target.generation;
      offset = 0;
    }
    const chunks = journalChunks(journal, offset, target.end);
    for (let next = chunks.next(); ; next = chunks.next()) {
      if (next.done === true) {
        offset = next.value;
        break;
      }
      last = ingest(next.value).end;
      setCounter(Counter.Ingested, BigInt(last.id));
    }
    setFailure(null);
    if (acked.generation !== generation || acked.offset !== offset || acked.lastId !== last.id) {
      acked = { generation, offset, lastId: last.id };
      post({ type: 'ingested', generation, offset, last });
    }
    // The text index follows in slices, each its own transaction, with new journal lines taken in between.
    const indexed = text.slice();
    setCounter(Counter.Indexed, BigInt(text.indexedUpTo()));
    if (indexed > 0) schedule();
  } catch (error) {
    setFailure(`the audit log cannot be written: ${(error as Error).message}`);
    retry = setTimeout(() => {
      retry = null;
      schedule();
    }, RETRY_MS);
  }
}

port.on('message', (message: ToWriter) => {
  if (message.type === 'wake') {
    target = { generation: message.generation, end: message.end };
    schedule();
    return;
  }
  // close: take in everything the journal holds, then let the thread end.
  if (retry !== null) clearTimeout(retry);
  retry = null;
  target = { generation: message.generation, end: message.end };
  run();
  if (retry !== null) clearTimeout(retry);
  if (!failing) text.catchUp();
  setCounter(Counter.Indexed, BigInt(text.indexedUpTo()));
  closeSync(journal);
  db.close();
  setCounter(Counter.Closed, 1n);
  port.close();
});
