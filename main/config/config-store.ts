// The running configuration: the last good Config, replaced only by a valid edit of config.json. A broken
// save (a typo, a half-finished edit) is reported and ignored, so the servers already running keep running.
import { EventEmitter } from 'node:events';
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from '../log/logger.ts';
import { describeFsError } from '../paths/fs-error.ts';
import { isTempFileFor } from '../fs/atomic-write.ts';
import { formatProblem, type ConfigProblem } from './config-problems.ts';
import { loadConfig } from './load-config.ts';
import type { Config } from './schema.ts';
import { defaultConfig, type ParsedConfig } from './validate-config.ts';

export type ConfigStoreEvents = {
  change: [next: Config, previous: Config];
  invalid: [problems: readonly ConfigProblem[]];
};

export interface ConfigStoreOptions {
  /** The config.json file. */
  readonly path: string;
  readonly logger: Logger;
  /** Quiet time after the last file event before re-reading; one save is often several events. */
  readonly debounceMs?: number;
}

export type WatchResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

export class ConfigStore extends EventEmitter<ConfigStoreEvents> {
  readonly path: string;
  readonly #logger: Logger;
  readonly #debounceMs: number;
  #current: Config = defaultConfig();
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloading = false;
  #reloadAgain = false;
  #closed = false;

  constructor(options: ConfigStoreOptions) {
    super();
    this.path = options.path;
    this.#logger = options.logger;
    this.#debounceMs = options.debounceMs ?? 100;
  }

  /** The last valid configuration read; the defaults (no servers) until one has been. */
  get current(): Config {
    return this.#current;
  }

  /** Reads config.json now; a valid result becomes `current`. Emits nothing: the caller acts on the result. */
  async load(): Promise<ParsedConfig> {
    const result = await loadConfig(this.path);
    if (result.ok) this.#current = result.config;
    return result;
  }

  /**
   * Starts following edits to config.json. The folder is watched, not the file: writers (ours included) replace
   * the file by renaming a new one over it, and a watch on the file itself stays on the old, unlinked inode.
   * Deleting config.json counts as an edit to the empty config, exactly as a missing file does at startup.
   */
  watch(): WatchResult {
    if (this.#closed) return { ok: false, message: 'this config store is closed' };
    if (this.#watcher !== undefined) return { ok: true };
    const dir = dirname(this.path);
    const file = basename(this.path);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.#watcher = watch(dir, { persistent: false, encoding: 'utf8' }, (_event, name) => {
        // Other files share the folder (logs, the audit database); only ours, or an unnamed event, matter.
        if (name === null || name === file || isTempFileFor(name, file)) this.#schedule();
      });
    } catch (error) {
      return {
        ok: false,
        message: `could not watch ${dir} for changes to ${file}: ${describeFsError(error)}; edits will apply after a restart`,
      };
    }
    this.#watcher.on('error', (error) => {
      this.#logger.error('stopped watching the config folder; edits will apply after a restart', {
        dir,
        error: describeFsError(error),
      });
    });
    return { ok: true };
  }

  /** Stops watching; no events are emitted afterwards. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#reload(), this.#debounceMs);
  }

  /** One reload at a time; events during a reload cause exactly one more, so the last edit is always read. */
  async #reload(): Promise<void> {
    if (this.#reloading) {
      this.#reloadAgain = true;
      return;
    }
    this.#reloading = true;
    try {
      do {
        this.#reloadAgain = false;
        await this.#reloadOnce();
      } while (this.#reloadAgain && !this.#closed);
    } catch (error) {
      this.#logger.error('applying a config change failed', { file: this.path, error: describeFsError(error) });
    } finally {
      this.#reloading = false;
    }
  }

  async #reloadOnce(): Promise<void> {
    const result = await loadConfig(this.path);
    if (this.#closed) return;
    if (!result.ok) {
      this.#logger.warn('config.json has problems; keeping the last good configuration until they are fixed', {
        file: this.path,
        problems: result.problems.length,
      });
      for (const problem of result.problems) {
        this.#logger.error(`config.json: ${formatProblem(problem)}`, { file: this.path, path: problem.path });
      }
      this.emit('invalid', result.problems);
      return;
    }
    if (isDeepStrictEqual(result.config, this.#current)) return;
    const previous = this.#current;
    this.#current = result.config;
    this.#logger.info('config.json changed; applying it', { file: this.path });
    this.emit('change', result.config, previous);
  }
}
