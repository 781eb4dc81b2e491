// A team collector for the upload tests, on 127.0.0.1 with node:http, written from the protocol in docs/audit.md:
// it keeps records by uid (a record sent again is counted, not stored twice) and answers each POST as the test's
// script says: store and 200, fail with a status, store and then never answer, or never answer at all.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UploadBatch, UploadRecord } from '../../../main/audit/upload-wire.ts';

export type Reply =
  | { readonly kind: 'store' }
  | { readonly kind: 'fail'; readonly status: number; readonly headers?: Readonly<Record<string, string>> }
  /** The records are stored, but the answer never leaves: the sender cannot know they arrived. */
  | { readonly kind: 'store-and-hang' }
  | { readonly kind: 'hang' };

export interface Attempt {
  readonly at: number;
  readonly authorization: string | undefined;
  readonly batch: UploadBatch;
  readonly status: number | 'hung';
}

export class Receiver {
  readonly attempts: Attempt[] = [];
  /** What it holds, by uid: each record once, however often it came. */
  readonly held = new Map<string, UploadRecord>();
  /** Decides each answer from the attempt's number (0-based) and batch; stores and answers 200 unless told. */
  script: (n: number, batch: UploadBatch) => Reply = () => ({ kind: 'store' });
  readonly #server: Server;
  #url = '';
  readonly #waiters = new Set<() => void>();

  constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/ingest`;
    return this.#url;
  }

  get url(): string {
    return this.#url;
  }

  /** Ids held, sorted. */
  heldIds(): number[] {
    return [...this.held.values()].map((r) => r.id).sort((a, b) => a - b);
  }

  /** Resolves once `check` holds after some attempt, or rejects after `timeoutMs`. */
  until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${this.attempts.length} attempts`));
      }, timeoutMs);
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      };
      this.#waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as UploadBatch;
    const reply = this.script(this.attempts.length, batch);
    const stores = reply.kind === 'store' || reply.kind === 'store-and-hang';
    let stored = 0;
    if (stores) {
      for (const record of batch.records) {
        if (this.held.has(record.uid)) continue;
        this.held.set(record.uid, record);
        stored += 1;
      }
    }
    const status = reply.kind === 'store' ? 200 : reply.kind === 'fail' ? reply.status : 'hung';
    this.attempts.push({ at: Date.now(), authorization: req.headers.authorization, batch, status });
    if (reply.kind === 'store') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ stored, duplicates: batch.records.length - stored }));
    } else if (reply.kind === 'fail') {
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(`scripted ${reply.status}`);
    }
    for (const waiter of [...this.#waiters]) waiter();
  }
}
