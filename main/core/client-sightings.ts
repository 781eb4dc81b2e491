// Which clients have ever connected to this gateway, kept in the data directory (`clients-seen.json`), so the app
// can say when one connects for the first time: a new name in the audit trail is a person's cue to check that the
// connection is theirs. Only names are kept, never tokens.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AuditEventInput } from '../audit/audit-event.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { DASHBOARD_CLIENT } from '../gateway/auth/token-store.ts';

const fileSchema = z.object({ version: z.literal(1), clients: z.record(z.string(), z.string()) });

export class ClientSightings {
  readonly #path: string;
  readonly #seen: Map<string, string>;
  readonly #onFirst: (client: string) => void;
  #writing: Promise<void> = Promise.resolve();

  /** A damaged or missing file starts an empty list: at worst a client is announced once more. */
  constructor(path: string, onFirst: (client: string) => void) {
    this.#path = path;
    this.#onFirst = onFirst;
    let clients: Record<string, string> = {};
    try {
      const parsed = fileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (parsed.success) clients = parsed.data.clients;
    } catch {
      // Absent on first run.
    }
    this.#seen = new Map(Object.entries(clients));
  }

  /** Looks at one audit record: an opened session or a request names its client. */
  observe(event: AuditEventInput): void {
    const client = event.client;
    if (client === null || client === undefined || client === DASHBOARD_CLIENT) return;
    if (event.outcome !== 'ok' && event.kind === 'auth') return;
    if (event.kind !== 'request' && !(event.kind === 'auth' && event.method === 'session-opened')) return;
    if (this.#seen.has(client)) return;
    this.#seen.set(client, new Date(event.ts ?? Date.now()).toISOString());
    this.#onFirst(client);
    this.#save();
  }

  has(client: string): boolean {
    return this.#seen.has(client);
  }

  /** Resolves once every sighting so far is on disk. */
  flushed(): Promise<void> {
    return this.#writing;
  }

  #save(): void {
    const text = JSON.stringify({ version: 1, clients: Object.fromEntries(this.#seen) }, null, 2) + '\n';
    // Writes are chained so an older list never lands after a newer one.
    this.#writing = this.#writing
      .then(() => writeFileAtomic(this.#path, text, 0o600))
      .catch(() => {
        // A failed write only means the client may be announced again after a restart.
      });
  }
}
