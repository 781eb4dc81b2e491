// Where Switchboard keeps its state: one folder per user holding the config, tokens, audit log and run files.
// Resolution is a pure function of its inputs so every platform's answer can be tested on any platform.
import { mkdir } from 'node:fs/promises';
import { join, posix, win32 } from 'node:path';
import { describeFsError } from './fs-error.ts';

export interface DataDirInputs {
  /** The `--data-dir` flag, when given. */
  readonly flag?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  readonly homedir: string;
  /** Relative `--data-dir` or `SWITCHBOARD_HOME` values are resolved against this, when given. */
  readonly cwd?: string | undefined;
}

/**
 * The data directory: `--data-dir`, else `SWITCHBOARD_HOME`, else the platform's per-user app folder
 * (macOS `~/Library/Application Support/Switchboard`, Windows `%APPDATA%\Switchboard`,
 * elsewhere `$XDG_CONFIG_HOME/switchboard` or `~/.config/switchboard`).
 */
export function resolveDataDir(inputs: DataDirInputs): string {
  const { env, platform, homedir } = inputs;
  const path = platform === 'win32' ? win32 : posix;
  const explicit = nonEmpty(inputs.flag) ?? nonEmpty(env['SWITCHBOARD_HOME']);
  if (explicit !== undefined) {
    const expanded = expandHome(explicit, homedir, path);
    if (path.isAbsolute(expanded) || inputs.cwd === undefined) return expanded;
    return path.resolve(inputs.cwd, expanded);
  }
  if (platform === 'darwin') return path.join(homedir, 'Library', 'Application Support', 'Switchboard');
  if (platform === 'win32') {
    const appData = nonEmpty(env['APPDATA']) ?? path.join(homedir, 'AppData', 'Roaming');
    return path.join(appData, 'Switchboard');
  }
  // The XDG spec says a relative $XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = nonEmpty(env['XDG_CONFIG_HOME']);
  const configHome = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(homedir, '.config');
  return path.join(configHome, 'switchboard');
}

/** The well-known files and folders inside a data directory. */
export interface DataDirPaths {
  readonly dir: string;
  readonly config: string;
  readonly tokens: string;
  /** The audit database, audit.db. */
  readonly audit: string;
  /**
   * Records on their way into audit.db: each is here before its answer is sent (audit-journal.ts). In a folder of
   * its own, out of the folder watched for edits to config.json and tokens.json.
   */
  readonly auditJournal: string;
  /** The audit chain's last record and anchor, kept outside the database so a cut tail is noticed. */
  readonly auditHead: string;
  /** How far the audit upload has got: the last record a receiver acknowledged (upload-cursor.ts). */
  readonly auditUpload: string;
  /** This data directory's random id, sent with uploaded audit records (install-id.ts). */
  readonly installId: string;
  /** One log file per supervised server. */
  readonly logs: string;
  /** Sockets and pid files of the running processes. */
  readonly run: string;
  /** Each server's lists and capabilities from its last run, one file per server (list-store.ts). */
  readonly lists: string;
  /** Written by a running `serve` with its URL and pid, so other commands can find it. */
  readonly serveInfo: string;
  /** The names of clients that have ever connected, to tell a first connection (client-sightings.ts). */
  readonly clientsSeen: string;
  readonly gatewayLog: string;
  /** The opt-in encrypted file vault; absent while secrets live in the OS keychain. */
  readonly vault: string;
  /** Each tool's approved definition and hash, and changed definitions awaiting approval (main/pins/). */
  readonly toolPins: string;
  /** The client config files Switchboard wrote its entry into, with what it wrote (main/clients/). */
  readonly clients: string;
}

export function dataDirPaths(dir: string): DataDirPaths {
  return {
    dir,
    config: join(dir, 'config.json'),
    tokens: join(dir, 'tokens.json'),
    audit: join(dir, 'audit.db'),
    auditJournal: join(dir, 'journal', 'audit.journal'),
    auditHead: join(dir, 'audit.head.json'),
    auditUpload: join(dir, 'audit.upload.json'),
    installId: join(dir, 'install-id'),
    logs: join(dir, 'logs'),
    run: join(dir, 'run'),
    lists: join(dir, 'lists'),
    serveInfo: join(dir, 'serve.json'),
    clientsSeen: join(dir, 'clients-seen.json'),
    gatewayLog: join(dir, 'gateway.log'),
    vault: join(dir, 'vault.enc'),
    clients: join(dir, 'clients.json'),
    toolPins: join(dir, 'tool-pins.json'),
  };
}

export type EnsureDataDirResult =
  { readonly ok: true; readonly paths: DataDirPaths } | { readonly ok: false; readonly message: string };

/**
 * Creates the data directory and its subfolders, readable by the owner only (0700).
 * Folders that already exist keep their mode: SWITCHBOARD_HOME may point at a folder the user shares on purpose.
 */
export async function ensureDataDir(dir: string): Promise<EnsureDataDirResult> {
  const paths = dataDirPaths(dir);
  for (const folder of [paths.dir, paths.logs, paths.run]) {
    try {
      await mkdir(folder, { recursive: true, mode: 0o700 });
    } catch (error) {
      return {
        ok: false,
        message:
          `could not create the data directory ${folder}: ${describeFsError(error)}. ` +
          'Point --data-dir or SWITCHBOARD_HOME at a folder you can write to.',
      };
    }
  }
  return { ok: true, paths };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** `~` is expanded by shells but not inside quotes or .env files, where users still expect it to work. */
function expandHome(value: string, homedir: string, path: typeof posix): string {
  if (value === '~') return homedir;
  if (value.startsWith('~/') || (path === win32 && value.startsWith('~\\'))) return path.join(homedir, value.slice(2));
  return value;
}
