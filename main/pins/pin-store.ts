// `tool-pins.json` in the data directory: the definition of every tool a user has approved, by server and tool,
// and the new definition of each tool that changed since (T28). The file is untrusted on read: anything but the
// shape written here is an error naming the file and the fault, never an empty table, since an empty table would
// approve whatever a server lists next. Written whole and atomically.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatPath } from '../config/config-problems.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { errorCode } from '../paths/fs-error.ts';
import { TOOL_HASH_PATTERN, type ToolDefinition } from '../policy/tool-definition-hash.ts';

/** A definition as it was seen, with its hash. */
export interface SeenDefinition {
  readonly hash: string;
  readonly definition: ToolDefinition;
  /** ISO 8601. */
  readonly at: string;
}

export interface PinRecord {
  /** What the user approved (on first sight, or by `tools approve`). */
  readonly approved: SeenDefinition;
  /** The latest definition that differs from the approved one, until approved or the server goes back. */
  readonly changed?: SeenDefinition;
}

/** server → tool (the server's own name) → record. Maps, so no tool name can reach an object's prototype. */
export type PinTable = Map<string, Map<string, PinRecord>>;

const PIN_FILE_VERSION = 1;

/** A pin file larger than this is not read: thousands of tools with large schemas stay far below it. */
const MAX_PIN_FILE_BYTES = 64 * 1024 * 1024;

const seenSchema = z
  .object({
    hash: z.string().regex(TOOL_HASH_PATTERN, 'must be "sha256:" and 64 lowercase hex digits'),
    definition: z.record(z.string(), z.unknown()),
    at: z.string(),
  })
  .strict();

const recordSchema = z.object({ approved: seenSchema, changed: seenSchema.optional() }).strict();

/** `servers` and each server's tools are walked by hand: zod's records drop a key named "__proto__". */
const fileSchema = z
  .object({ version: z.literal(PIN_FILE_VERSION), servers: z.record(z.string(), z.record(z.string(), z.unknown())) })
  .strict();

export type PinFileRead =
  { readonly ok: true; readonly pins: PinTable } | { readonly ok: false; readonly error: string };

/** The table in `path`; an empty one when the file does not exist yet. */
export async function readPinFile(path: string): Promise<PinFileRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { ok: true, pins: new Map() };
    return { ok: false, error: `${path} cannot be read: ${(error as Error).message}` };
  }
  return parsePinFile(path, text);
}

function parsePinFile(file: string, text: string): PinFileRead {
  const fix = 'fix it, or remove it to approve every tool as it is listed next';
  if (text.length > MAX_PIN_FILE_BYTES) return { ok: false, error: `${file} is larger than 64 MB; ${fix}` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${file} is not valid JSON (${(error as Error).message}); ${fix}` };
  }
  const problem = (path: PropertyKey[], message: string): PinFileRead => ({
    ok: false,
    error: `${file}: ${formatPath(path) || '(file)'} ${message}; ${fix}`,
  });
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) return problem(parsed.error.issues[0]!.path, parsed.error.issues[0]!.message);
  // JSON.parse keeps "__proto__" as an own key, and Object.entries reads it back as one.
  const pins: PinTable = new Map();
  for (const [server, tools] of Object.entries((json as { servers: Record<string, unknown> }).servers)) {
    if (tools === null || typeof tools !== 'object' || Array.isArray(tools)) {
      return problem(['servers', server], 'must be an object of tools');
    }
    const records = new Map<string, PinRecord>();
    for (const [tool, record] of Object.entries(tools)) {
      const checked = recordSchema.safeParse(record);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        return problem(['servers', server, tool, ...issue.path], issue.message);
      }
      records.set(tool, record as PinRecord);
    }
    pins.set(server, records);
  }
  return { ok: true, pins };
}

function serializePins(pins: PinTable): string {
  const servers = Object.fromEntries(
    [...pins].sort(([a], [b]) => a.localeCompare(b)).map(([server, tools]) => [server, Object.fromEntries(tools)]),
  );
  return JSON.stringify({ version: PIN_FILE_VERSION, servers }, null, 2) + '\n';
}

export function writePinFile(path: string, pins: PinTable): Promise<void> {
  return writeFileAtomic(path, serializePins(pins), 0o600);
}
