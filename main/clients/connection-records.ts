// What Switchboard wrote into each client file (clients.json in the data directory): the hash of the bytes it
// wrote, and of the backup it took before, so disconnect can put the original bytes back when nobody changed the
// file since, and a token is revoked only when no other file of that client still uses it. No secrets here.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { dataDirPaths } from '../paths/data-dir.ts';

const recordSchema = z.object({
  client: z.string(),
  scope: z.enum(['user', 'project']),
  /** sha256 of the file as we left it. */
  written: z.string(),
  /** sha256 of the backup beside it (the file before our entry), or null when there was no file. */
  original: z.string().nullable(),
});
const fileSchema = z.object({ version: z.literal(1), files: z.record(z.string(), recordSchema) });

export type ConnectionRecord = z.infer<typeof recordSchema>;

export class ConnectionRecords {
  readonly #path: string;

  constructor(dataDir: string) {
    this.#path = dataDirPaths(dataDir).clients;
  }

  /** Every record, by client file; a missing or damaged file reads as none (disconnect then edits minimally). */
  all(): Record<string, ConnectionRecord> {
    try {
      const parsed = fileSchema.safeParse(JSON.parse(readFileSync(this.#path, 'utf8')));
      return parsed.success ? parsed.data.files : {};
    } catch {
      return {};
    }
  }

  get(file: string): ConnectionRecord | undefined {
    return this.all()[file];
  }

  async set(file: string, record: ConnectionRecord | null): Promise<void> {
    const files = this.all();
    if (record === null) delete files[file];
    else files[file] = record;
    await writeFileAtomic(this.#path, JSON.stringify({ version: 1, files }, null, 2) + '\n', 0o600);
  }

  /** The files other than `except` where `client`'s entry was written. */
  othersOf(client: string, except: string): string[] {
    return Object.entries(this.all())
      .filter(([file, record]) => record.client === client && file !== except)
      .map(([file]) => file);
  }
}
