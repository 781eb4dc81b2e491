// The load of `npm run chaos`: SDK clients (legacy sessions, as IDE clients speak today) calling tools of every
// server group with several calls in flight, each call tagged so the audit trail can be matched against it. A
// client whose session or connection is lost (serve killed) connects again, as a real client would.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Prng } from '../test/helpers/prng.ts';
import type { Group } from './serve-process.ts';

/** The client's own limit, far above the gateway's: a call that reaches it is overdue anyway. */
const SDK_TIMEOUT_MS = 30_000;
const RECONNECT_PAUSE_MS = 250;

export type Outcome = 'ok' | 'tool-error' | 'rpc-error' | 'transport-error';

export interface CallRecord {
  readonly tag: string;
  readonly group: Group;
  readonly server: string;
  readonly startedAt: number;
  endedAt: number | null;
  outcome: Outcome | null;
  /** The gateway's answer (a result or a JSON-RPC error) reached the client: such a call must be in the audit. */
  answered: boolean;
  message: string | null;
}

interface CallTarget {
  readonly group: Group;
  readonly server: string;
  readonly tool: string;
  readonly weight: number;
  args(tag: string): Record<string, unknown>;
}

const TARGETS: readonly CallTarget[] = [
  { group: 'healthy', server: 'steady1', tool: 'echo', weight: 6, args: (tag) => ({ text: tag }) },
  { group: 'healthy', server: 'steady2', tool: 'sleep', weight: 4, args: (tag) => ({ ms: 20, tag }) },
  { group: 'victim', server: 'victim1', tool: 'echo', weight: 3, args: (tag) => ({ text: tag }) },
  { group: 'victim', server: 'victim2', tool: 'sleep', weight: 2, args: (tag) => ({ ms: 200, tag }) },
  { group: 'hang', server: 'hanger', tool: 'hang', weight: 1, args: (tag) => ({ tag }) },
  { group: 'stdout-flood', server: 'floodout', tool: 'call', weight: 2, args: (tag) => ({ tag }) },
  { group: 'stderr-flood', server: 'flooderr', tool: 'call', weight: 2, args: (tag) => ({ tag }) },
  { group: 'malformed', server: 'malformed', tool: 'call', weight: 1, args: (tag) => ({ tag }) },
];
const TOTAL_WEIGHT = TARGETS.reduce((sum, t) => sum + t.weight, 0);

function pickTarget(prng: Prng): CallTarget {
  let roll = prng.next() * TOTAL_WEIGHT;
  for (const target of TARGETS) {
    roll -= target.weight;
    if (roll < 0) return target;
  }
  return TARGETS[0]!;
}

export class LoadClient {
  readonly #url: URL;
  readonly #token: string;
  readonly #name: string;
  readonly #prng: Prng;
  readonly #records: CallRecord[];
  #client: Promise<Client> | null = null;
  /** When the current client started connecting. */
  #clientSince = 0;
  #count = 0;

  constructor(url: string, token: string, name: string, prng: Prng, records: CallRecord[]) {
    this.#url = new URL(url);
    this.#token = token;
    this.#name = name;
    this.#prng = prng;
    this.#records = records;
  }

  /** Runs `loops` call loops until `until` (performance.now()); the loops share this client's session. */
  async run(loops: number, until: number): Promise<void> {
    await Promise.all(Array.from({ length: loops }, () => this.#loop(until)));
    const client = await this.#client?.catch(() => null);
    await client?.close().catch(() => {});
  }

  async #loop(until: number): Promise<void> {
    while (performance.now() < until) {
      let client: Client;
      try {
        client = await this.#connected();
      } catch {
        await sleep(RECONNECT_PAUSE_MS);
        continue;
      }
      await this.#call(client);
    }
  }

  #connected(): Promise<Client> {
    if (this.#client === null) this.#clientSince = performance.now();
    this.#client ??= (async () => {
      const client = new Client({ name: this.#name, version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(this.#url, {
        requestInit: { headers: { authorization: `Bearer ${this.#token}` } },
        // serve's restart is the run's business; the client only needs its next request to open a new session.
        reconnectionOptions: {
          maxRetries: 0,
          initialReconnectionDelay: 1_000,
          maxReconnectionDelay: 1_000,
          reconnectionDelayGrowFactor: 1,
        },
      });
      client.onerror = () => {};
      await client.connect(transport);
      return client;
    })();
    const pending = this.#client;
    pending.catch(() => {
      if (this.#client === pending) this.#client = null;
    });
    return pending;
  }

  async #call(client: Client): Promise<void> {
    const target = pickTarget(this.#prng);
    const tag = `${this.#name}-${this.#count++}`;
    const record: CallRecord = {
      tag,
      group: target.group,
      server: target.server,
      startedAt: performance.now(),
      endedAt: null,
      outcome: null,
      answered: false,
      message: null,
    };
    this.#records.push(record);
    try {
      const result = await client.callTool(
        { name: `${target.server}__${target.tool}`, arguments: target.args(tag) },
        undefined,
        { timeout: SDK_TIMEOUT_MS },
      );
      record.outcome = result.isError === true ? 'tool-error' : 'ok';
      record.answered = true;
      if (result.isError === true) record.message = JSON.stringify(result.content).slice(0, 300);
    } catch (error) {
      const local =
        !(error instanceof McpError) ||
        error.code === ErrorCode.ConnectionClosed ||
        (error.code === ErrorCode.RequestTimeout && /timed out/i.test(error.message));
      record.outcome = local ? 'transport-error' : 'rpc-error';
      record.answered = !local;
      record.message = (error as Error).message.slice(0, 300);
      if (local) await this.#dropClient(client);
    } finally {
      record.endedAt = performance.now();
    }
  }

  /**
   * serve was killed at `killedAt` and started again: sessions opened before are gone, so the next call opens a new
   * one instead of failing on the old. A client opened since is already the new serve's and is kept.
   */
  forget(killedAt: number): void {
    if (this.#clientSince >= killedAt) return;
    const old = this.#client;
    this.#client = null;
    void old?.then((client) => client.close()).catch(() => {});
  }

  /** After a transport failure the session may be gone (serve restarted): the next call connects afresh. */
  async #dropClient(client: Client): Promise<void> {
    const current = await this.#client?.catch(() => null);
    if (current !== client) return;
    this.#client = null;
    await client.close().catch(() => {});
  }
}
