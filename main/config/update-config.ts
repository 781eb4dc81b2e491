// Read-modify-write of config.json for commands that change one thing (add a server, disable one): the edit
// sees the file as written, and only the edited input goes back, so hand-written choices survive.
import { dataDirPaths } from '../paths/data-dir.ts';
import { loadConfig } from './load-config.ts';
import type { ConfigInput } from './schema.ts';
import type { ParsedConfig } from './validate-config.ts';
import { writeConfig } from './write-config.ts';

/** Changes a copy of the config as written; returns the new input, or an Error whose message says why not. */
export type ConfigEdit = (draft: ConfigInput) => ConfigInput | Error;

/**
 * Applies `edit` to the config.json in data directory `dir` and writes the result when it is valid.
 * A file that is already invalid is not edited: its problems come back so they can be fixed first.
 * Two processes editing at the same instant can still lose one edit; this is not a lock.
 */
export async function updateConfig(dir: string, edit: ConfigEdit): Promise<ParsedConfig> {
  const path = dataDirPaths(dir).config;
  const current = await loadConfig(path);
  if (!current.ok) return current;
  const next = edit(structuredClone(current.input));
  if (next instanceof Error) return { ok: false, problems: [{ path: '', message: next.message }] };
  return writeConfig(path, next);
}
