// Reading config.json. A missing file is not an error: it means a fresh install with no servers yet.
import { readFile } from 'node:fs/promises';
import { describeFsError, errorCode } from '../paths/fs-error.ts';
import { defaultConfig, parseConfig, type ParsedConfig } from './validate-config.ts';

/** Reads and validates the config file at `path`; problems (including an unreadable file) come back as values. */
export async function loadConfig(path: string): Promise<ParsedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { ok: true, config: defaultConfig(), input: {} };
    return {
      ok: false,
      problems: [
        {
          path: '',
          message: `could not read ${path}: ${describeFsError(error)}; check that it is a file you can read`,
        },
      ],
    };
  }
  return parseConfig(text);
}
