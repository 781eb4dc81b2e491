// Writing config.json: validated first, so an invalid config never reaches the disk, then replaced atomically.
// What is written is the input form (what the person wrote plus the change), not the defaults-expanded Config,
// so the file stays small and keeps only the choices someone actually made.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeFsError } from '../paths/fs-error.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import type { ConfigInput } from './schema.ts';
import { parseConfig, validateConfig, type ParsedConfig } from './validate-config.ts';

/** config.json may hold header values and environment variables, which are often credentials. */
const CONFIG_FILE_MODE = 0o600;

/** The file text for a config: 2-space JSON with a trailing newline, as editors and diffs expect. */
export function serializeConfig(input: ConfigInput): string {
  return `${JSON.stringify(input, null, 2)}\n`;
}

/** Validates `input` and, when valid, writes it to `path`; the file is left untouched when anything fails. */
export async function writeConfig(path: string, input: ConfigInput): Promise<ParsedConfig> {
  const checked = validateConfig(input);
  if (!checked.ok) return checked;
  let text: string;
  try {
    text = serializeConfig(input);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [{ path: '', message: `the configuration cannot be written as JSON: ${reason}` }] };
  }
  // Validate what will be on disk, not the object: JSON drops undefined values and turns NaN into null.
  const parsed = parseConfig(text);
  if (!parsed.ok) return parsed;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, text, CONFIG_FILE_MODE);
  } catch (error) {
    return {
      ok: false,
      problems: [
        { path: '', message: `could not write ${path}: ${describeFsError(error)}; the previous file is unchanged` },
      ],
    };
  }
  return parsed;
}
