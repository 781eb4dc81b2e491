// The team policy endpoint of `npm run chaos`: a loopback HTTP server handing out signed policy documents, which
// during its outage answers every poll with a different failure in turn: server errors, a hang, garbage, a body cut
// short, one far over the size limit, a document signed with another key, and an older version (a rollback). serve
// must go on enforcing the last good document through all of it and take a newer one once the feed recovers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTeamKey, signWith, teamDocument, type TeamKey } from '../test/helpers/team-documents.ts';

export const CHAOS_TEAM = 'chaos';

/** What the feed does to a poll during its outage, in turn. */
export const FEED_FAULTS = [
  'status-500',
  'status-503',
  'hang',
  'garbage',
  'truncated',
  'oversized',
  'wrong-key',
  'rollback',
] as const;
export type FeedFault = (typeof FEED_FAULTS)[number];

export class PolicyFeed {
  /** Polls answered with the current document, and polls answered with each fault. */
  readonly served = { documents: 0, faults: {} as Partial<Record<FeedFault, number>> };
  readonly #key: TeamKey;
  readonly #stranger: TeamKey;
  readonly #server: Server;
  readonly #documents = new Map<number, string>();
  #version = 0;
  #failing = false;
  #next = 0;

  private constructor(key: TeamKey, stranger: TeamKey) {
    this.#key = key;
    this.#stranger = stranger;
    this.#server = createServer((req, res) => void this.#answer(req, res));
  }

  static async start(): Promise<PolicyFeed> {
    const feed = new PolicyFeed(await makeTeamKey(), await makeTeamKey());
    await new Promise<void>((resolve) => feed.#server.listen(0, '127.0.0.1', resolve));
    return feed;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/policy`;
  }

  get publicKey(): string {
    return this.#key.publicKey;
  }

  get version(): number {
    return this.#version;
  }

  /** Signs and serves `version`: a policy that allows everything, so only the feed's faults could refuse a call. */
  async publish(version: number): Promise<void> {
    this.#documents.set(version, await signWith(this.#key, teamDocument(CHAOS_TEAM, version, { onExpiry: 'keep' })));
    this.#version = version;
  }

  setFailing(failing: boolean): void {
    this.#failing = failing;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    if (!this.#failing) {
      this.served.documents += 1;
      res.writeHead(200, { 'content-type': 'application/jose' }).end(this.#documents.get(this.#version));
      return;
    }
    const fault = FEED_FAULTS[this.#next++ % FEED_FAULTS.length]!;
    this.served.faults[fault] = (this.served.faults[fault] ?? 0) + 1;
    switch (fault) {
      case 'status-500':
        res.writeHead(500).end('internal error');
        return;
      case 'status-503':
        res.writeHead(503, { 'retry-after': '1' }).end('busy');
        return;
      case 'hang':
        // Never answers: the poll's own deadline must end it. The socket goes when the feed closes.
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/jose' }).end('not a signed document at all');
        return;
      case 'truncated': {
        const document = this.#documents.get(this.#version)!;
        res.writeHead(200, { 'content-type': 'application/jose', 'content-length': String(document.length) });
        res.write(document.slice(0, document.length >> 1));
        res.destroy();
        return;
      }
      case 'oversized':
        res.writeHead(200, { 'content-type': 'application/jose' }).end('x'.repeat(2 * 1024 * 1024));
        return;
      case 'wrong-key':
        res
          .writeHead(200, { 'content-type': 'application/jose' })
          .end(await signWith(this.#stranger, teamDocument(CHAOS_TEAM, this.#version + 1)));
        return;
      case 'rollback':
        res
          .writeHead(200, { 'content-type': 'application/jose' })
          .end(this.#documents.get(Math.max(1, this.#version - 1)) ?? this.#documents.get(this.#version));
        return;
    }
  }
}
