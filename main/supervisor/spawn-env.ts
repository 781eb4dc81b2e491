// The environment a stdio server is started with, and where its command is found.
// A child gets an allow-list of the parent's variables, never the whole environment: the gateway's own secrets
// (tokens, cloud credentials) must not leak into third-party servers (security test T41). PATH is widened,
// because a desktop app launched from the dock inherits a bare PATH on which `npx`, `uvx` and `node` are missing.
import { accessSync, constants, statSync } from 'node:fs';
import { posix, win32 } from 'node:path';

/** Everything the environment is computed from, injected so the functions stay pure and testable. */
export interface SpawnEnvInputs {
  readonly parentEnv: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  /** The running Node binary; its directory goes on PATH so `#!/usr/bin/env node` scripts find a node. */
  readonly execPath: string;
  readonly homeDir: string;
  /** Whether a directory exists; only existing tool directories are added to PATH. */
  readonly dirExists: (dir: string) => boolean;
}

const POSIX_ALLOWED = ['HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'TZ', 'TMPDIR', 'TEMP', 'TMP', 'TERM'];
const WINDOWS_ALLOWED = [
  ...POSIX_ALLOWED,
  'SYSTEMROOT',
  'COMSPEC',
  'PATHEXT',
  'APPDATA',
  'LOCALAPPDATA',
  'USERPROFILE',
  'PROGRAMDATA',
  'WINDIR',
];

/** Where package managers put their launchers; added to PATH when they exist. */
const POSIX_TOOL_DIRS = ['/usr/local/bin', '/opt/homebrew/bin'];
const HOME_TOOL_DIRS = ['.local/bin', '.cargo/bin', '.volta/bin', '.bun/bin', '.deno/bin'];

function pathApi(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

/** Windows variable names are case-insensitive (`Path`, `SystemRoot`); POSIX ones are not. */
function lookup(env: SpawnEnvInputs['parentEnv'], name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

function isAllowed(name: string, platform: NodeJS.Platform): boolean {
  const upper = platform === 'win32' ? name.toUpperCase() : name;
  if (upper.startsWith('LC_')) return true;
  return (platform === 'win32' ? WINDOWS_ALLOWED : POSIX_ALLOWED).includes(upper);
}

/** PATH for a child: the parent's, then Node's own directory, then common tool directories; deduplicated, in order. */
export function resolveChildPath(inputs: SpawnEnvInputs): string {
  const { delimiter, dirname, join } = pathApi(inputs.platform);
  const parent = (lookup(inputs.parentEnv, 'PATH', inputs.platform) ?? '').split(delimiter);
  const toolDirs = inputs.platform === 'win32' ? [] : [...POSIX_TOOL_DIRS];
  if (inputs.homeDir !== '') toolDirs.push(...HOME_TOOL_DIRS.map((dir) => join(inputs.homeDir, dir)));
  const dirs: string[] = [];
  const add = (dir: string): void => {
    if (dir !== '' && !dirs.includes(dir)) dirs.push(dir);
  };
  parent.forEach(add);
  add(dirname(inputs.execPath));
  toolDirs.filter((dir) => inputs.dirExists(dir)).forEach(add);
  return dirs.join(delimiter);
}

/**
 * The complete environment of a child: allow-listed parent variables, the resolved PATH, then the server's
 * configured variables, which win over both.
 */
export function buildChildEnv(
  configured: Readonly<Record<string, string>>,
  inputs: SpawnEnvInputs,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs.parentEnv)) {
    // Exported shell functions ("() { …") are how Shellshock travelled; never pass them on.
    if (value === undefined || value.startsWith('()') || !isAllowed(name, inputs.platform)) continue;
    env[name] = value;
  }
  env[inputs.platform === 'win32' ? 'Path' : 'PATH'] = resolveChildPath(inputs);
  for (const [name, value] of Object.entries(configured)) {
    if (inputs.platform === 'win32') {
      for (const key of Object.keys(env)) if (key.toUpperCase() === name.toUpperCase()) delete env[key];
    }
    env[name] = value;
  }
  return env;
}

/** The inputs of the running process, read when called (never cached at module load). */
export function currentSpawnEnvInputs(): SpawnEnvInputs {
  return {
    parentEnv: process.env,
    platform: process.platform,
    execPath: process.execPath,
    homeDir: process.env['HOME'] ?? process.env['USERPROFILE'] ?? '',
    dirExists: (dir) => {
      try {
        return statSync(dir).isDirectory();
      } catch {
        return false;
      }
    },
  };
}

export class CommandNotFoundError extends Error {
  readonly command: string;
  readonly searched: readonly string[];
  constructor(command: string, searched: readonly string[], detail: string) {
    super(detail);
    this.name = 'CommandNotFoundError';
    this.command = command;
    this.searched = searched;
  }
}

export interface ResolveCommandInputs {
  readonly platform: NodeJS.Platform;
  /** The child's environment (its PATH, and PATHEXT on Windows). */
  readonly env: Readonly<Record<string, string>>;
  /** Directory a relative command such as `./server.sh` is resolved against: the server's cwd. */
  readonly cwd: string;
  readonly isExecutable: (file: string) => boolean;
}

/**
 * The absolute path of `command`, searched on the child's PATH the way the child would, so that a missing
 * launcher is reported before anything is spawned, with the directories that were searched.
 */
export function resolveCommand(command: string, inputs: ResolveCommandInputs): string {
  const api = pathApi(inputs.platform);
  const extensions =
    inputs.platform === 'win32'
      ? ['', ...(lookup(inputs.env, 'PATHEXT', 'win32') ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((e) => e !== '')]
      : [''];
  const candidates = (base: string): string[] => extensions.map((ext) => base + ext);
  const hasSeparator = command.includes('/') || (inputs.platform === 'win32' && command.includes('\\'));
  if (api.isAbsolute(command) || hasSeparator) {
    const base = api.resolve(inputs.cwd, command);
    const found = candidates(base).find(inputs.isExecutable);
    if (found !== undefined) return found;
    throw new CommandNotFoundError(
      command,
      [],
      `command "${command}" not found or not executable (looked for ${base}); check the path and its permissions`,
    );
  }
  const dirs = (lookup(inputs.env, 'PATH', inputs.platform) ?? '').split(api.delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    const found = candidates(api.join(dir, command)).find(inputs.isExecutable);
    if (found !== undefined) return found;
  }
  throw new CommandNotFoundError(
    command,
    dirs,
    `command "${command}" not found on PATH (searched: ${dirs.join(api.delimiter) || 'nothing, PATH is empty'}); ` +
      `install it, or configure the server with an absolute path`,
  );
}

/** Whether a path is a regular file the current user may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
