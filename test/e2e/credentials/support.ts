// Shared by the credential tests: reading what a fixture says about the token it was started with, and finding
// every copy of a value in a folder.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

/** What the fixture's whoami tool says for a token: the first 16 hex digits of its SHA-256. */
export function digestOf(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

export interface WhoAmI {
  readonly pid: number;
  readonly digest: string;
}

export async function whoami(client: Client, tool: string, ms = 0): Promise<WhoAmI> {
  const result = await client.callTool({ name: tool, arguments: { ms } });
  if (result.isError) throw new Error(`whoami failed: ${JSON.stringify(result.content)}`);
  const text = (result.content as { type: string; text: string }[])[0]!.text;
  const match = /^pid (\d+) token-sha256 ([0-9a-f]{16})$/.exec(text);
  if (match === null) throw new Error(`unexpected whoami answer: ${text}`);
  return { pid: Number(match[1]), digest: match[2]! };
}

/** The spellings a leaked value could take on disk: raw, JSON-escaped, base64 and base64url (unpadded). */
export function spellingsOf(value: string): string[] {
  return [
    value,
    JSON.stringify(value).slice(1, -1),
    Buffer.from(value).toString('base64').replace(/=+$/, ''),
    Buffer.from(value).toString('base64url'),
  ];
}

/** Every file under `dir` (recursively) holding any spelling of any of `values`, as `path: spelling`. */
export async function filesHolding(dir: string, values: readonly string[]): Promise<string[]> {
  // A file can vanish between the listing and its read: an atomic write's temporary file, renamed over its target,
  // which may be new and missing from the listing. Then the whole folder is scanned again, so nothing written
  // meanwhile goes unread.
  for (let attempt = 1; ; attempt += 1) {
    const hits: string[] = [];
    let vanished = false;
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 5) throw error;
        vanished = true;
        continue;
      }
      for (const value of values) {
        for (const spelling of spellingsOf(value)) if (bytes.includes(spelling)) hits.push(`${path}: ${spelling}`);
      }
    }
    if (!vanished) return hits;
  }
}
