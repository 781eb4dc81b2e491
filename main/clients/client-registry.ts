// The IDE and agent clients Switchboard can connect: where each keeps its MCP servers, in which format and under
// which key, what our entry looks like there, and how a URL entry names the token without holding it. One table,
// so the CLI, the dashboard and the tray walk the same list (../shared/docs/ide-clients.md has the sources).
import { existsSync, readdirSync } from 'node:fs';
import { posix, win32 } from 'node:path';

export const CLIENT_IDS = [
  'claude-desktop',
  'claude-code',
  'cursor',
  'vscode',
  'windsurf',
  'zed',
  'codex',
  'gemini',
  'cline',
] as const;

export type ClientId = (typeof CLIENT_IDS)[number];

export type ClientScope = 'user' | 'project';

export type FileFormat = 'json' | 'toml';

/** Where paths are resolved from: passed in whole, so tests (and other platforms) can use a scratch home. */
export interface ClientEnv {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: NodeJS.Platform;
  /** The home directory when neither HOME nor USERPROFILE says; os.homedir() in the app. */
  readonly homedir: string;
}

/** Where one scope of one client keeps its servers. */
export interface ClientLocation {
  readonly client: ClientId;
  readonly scope: ClientScope;
  readonly file: string;
  /** The JSON path of the object holding the servers by name, e.g. ['mcpServers']; ['mcp_servers'] in TOML. */
  readonly serversKey: readonly string[];
  readonly format: FileFormat;
}

/** The command that starts the bridge: node and the CLI script in a checkout, the app's own binary when packaged. */
export interface BridgeLauncher {
  readonly command: string;
  /** Arguments before `bridge`: the script path in a checkout, none for a packaged binary. */
  readonly args: readonly string[];
  /** Variables the launcher itself needs (ELECTRON_RUN_AS_NODE for the packaged app). */
  readonly env: Readonly<Record<string, string>>;
}

/** What goes into our entry: how to start the bridge, or where the gateway is for a URL entry. */
export type EntrySpec =
  | {
      readonly kind: 'stdio';
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'url'; readonly url: string };

/** The name of the environment variable a URL entry takes its token from, where the client reads one. */
export const TOKEN_ENV = 'SWITCHBOARD_TOKEN';
/** VS Code's `inputs` item that asks for the token once and keeps it in VS Code's secret storage. */
export const VSCODE_INPUT_ID = 'switchboard-token';

/** How a client's own process environment reaches the stdio command it starts (for doctor). */
export type ChildEnvRule =
  /** The client passes its environment on. */
  | 'inherit'
  /** Codex: only a fixed allow-list, plus `env_vars` and `env`. */
  | 'codex-allow-list'
  /** Gemini: variables that look secret are removed unless `env` sets them. */
  | 'gemini-redaction';

export interface ClientDefinition {
  readonly id: ClientId;
  readonly label: string;
  readonly scopes: readonly ClientScope[];
  readonly format: FileFormat;
  readonly serversKey: readonly string[];
  /** The user-level file. */
  userFile(env: ClientEnv): string;
  /** The project-level file for a project directory, where the client has one. */
  projectFile?(project: string, env: ClientEnv): string;
  /** Files and folders whose presence means the client is installed; its binaries on PATH count too. */
  installMarkers(env: ClientEnv): string[];
  readonly binaries: readonly string[];
  /** Our entry in this client's shape; `url` entries refer to the token, never hold it. */
  entry(spec: EntrySpec, id: ClientId): Record<string, unknown>;
  /** Why a URL entry is refused here (the client takes only literal headers), or null when it has a reference. */
  readonly urlRefusal: string | null;
  readonly childEnv: ChildEnvRule;
  /** What the person must do after a write for the client to see it. */
  readonly reload: string;
  /** Reported limits on the number of tools, for doctor's warnings. */
  readonly toolLimit?: number;
}

/** The platform's path module, so Windows paths come out right when tested on Linux and the other way round. */
export function pathsFor(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

export function homeOf(env: ClientEnv): string {
  const fromEnv = env.platform === 'win32' ? env.env['USERPROFILE'] : env.env['HOME'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : env.homedir;
}

function appData(env: ClientEnv): string {
  return nonEmpty(env.env['APPDATA']) ?? pathsFor(env.platform).join(homeOf(env), 'AppData', 'Roaming');
}

/** $XDG_CONFIG_HOME when it is set and absolute (the spec says to ignore a relative one), else ~/.config. */
function xdgConfig(env: ClientEnv): string {
  const path = pathsFor(env.platform);
  const xdg = nonEmpty(env.env['XDG_CONFIG_HOME']);
  return xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(homeOf(env), '.config');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** `~/<parts>` with the platform's separators. */
function inHome(env: ClientEnv, ...parts: string[]): string {
  return pathsFor(env.platform).join(homeOf(env), ...parts);
}

/**
 * Claude Desktop's folder. The Windows Store (MSIX) build, the default installer since early 2026, reads its file
 * under %LOCALAPPDATA%\Packages\Claude_<hash>\ and silently ignores %APPDATA%\Claude: the package folder is found by
 * its prefix, never a hard-coded hash, preferring one that already has a config file.
 */
function claudeDesktopDir(env: ClientEnv): string {
  const path = pathsFor(env.platform);
  if (env.platform === 'darwin') return inHome(env, 'Library', 'Application Support', 'Claude');
  if (env.platform === 'win32') {
    const local = nonEmpty(env.env['LOCALAPPDATA']) ?? path.join(homeOf(env), 'AppData', 'Local');
    const packages = path.join(local, 'Packages');
    let candidates: string[] = [];
    try {
      candidates = readdirSync(packages)
        .filter((name) => name.startsWith('Claude_'))
        .map((name) => path.join(packages, name, 'LocalCache', 'Roaming', 'Claude'));
    } catch {
      // No Store packages: the classic installer's folder.
    }
    const withFile = candidates.find((dir) => existsSync(path.join(dir, 'claude_desktop_config.json')));
    return withFile ?? candidates[0] ?? path.join(appData(env), 'Claude');
  }
  return path.join(xdgConfig(env), 'Claude');
}

function vscodeUserDir(env: ClientEnv): string {
  const path = pathsFor(env.platform);
  if (env.platform === 'darwin') return inHome(env, 'Library', 'Application Support', 'Code', 'User');
  if (env.platform === 'win32') return path.join(appData(env), 'Code', 'User');
  return path.join(xdgConfig(env), 'Code', 'User');
}

function zedDir(env: ClientEnv): string {
  const path = pathsFor(env.platform);
  if (env.platform === 'win32') return path.join(appData(env), 'Zed');
  if (env.platform === 'darwin') return inHome(env, '.config', 'zed');
  const flatpak = nonEmpty(env.env['FLATPAK_XDG_CONFIG_HOME']);
  return path.join(flatpak ?? xdgConfig(env), 'zed');
}

function claudeCodeFile(env: ClientEnv): string {
  const dir = nonEmpty(env.env['CLAUDE_CONFIG_DIR']);
  return dir !== undefined ? pathsFor(env.platform).join(dir, '.claude.json') : inHome(env, '.claude.json');
}

function codexHome(env: ClientEnv): string {
  return nonEmpty(env.env['CODEX_HOME']) ?? inHome(env, '.codex');
}

/** Cline's shared file, with its overrides in the order Cline itself applies them. */
function clineFile(env: ClientEnv): string {
  const path = pathsFor(env.platform);
  const full = nonEmpty(env.env['CLINE_MCP_SETTINGS_PATH']);
  if (full !== undefined) return full;
  const data = nonEmpty(env.env['CLINE_DATA_DIR']);
  if (data !== undefined) return path.join(data, 'settings', 'cline_mcp_settings.json');
  const dir = nonEmpty(env.env['CLINE_DIR']) ?? inHome(env, '.cline');
  return path.join(dir, 'data', 'settings', 'cline_mcp_settings.json');
}

const STDIO_ONLY = (client: string): string =>
  `${client} sends headers literally, so a URL entry would have to hold the token: use the stdio bridge (connect without --url)`;

function stdio(spec: EntrySpec): { command: string; args: string[]; env: Record<string, string> } {
  if (spec.kind !== 'stdio') throw new Error('a stdio entry needs a command');
  return { command: spec.command, args: [...spec.args], env: { ...spec.env } };
}

function urlOf(spec: EntrySpec): string {
  if (spec.kind !== 'url') throw new Error('a URL entry needs the gateway URL');
  return spec.url;
}

const envBearer = (reference: string): Record<string, string> => ({ Authorization: `Bearer ${reference}` });

export const CLIENTS: Readonly<Record<ClientId, ClientDefinition>> = {
  'claude-desktop': {
    id: 'claude-desktop',
    label: 'Claude Desktop',
    scopes: ['user'],
    format: 'json',
    serversKey: ['mcpServers'],
    userFile: (env) => pathsFor(env.platform).join(claudeDesktopDir(env), 'claude_desktop_config.json'),
    installMarkers: (env) => [
      claudeDesktopDir(env),
      '/Applications/Claude.app',
      inHome(env, 'Applications', 'Claude.app'),
    ],
    binaries: [],
    entry: (spec) => stdio(spec),
    urlRefusal: 'Claude Desktop skips URL entries in its config file; it takes only the stdio bridge',
    childEnv: 'inherit',
    reload: 'quit Claude Desktop completely (tray included) and start it again',
  },
  'claude-code': {
    id: 'claude-code',
    label: 'Claude Code',
    scopes: ['user', 'project'],
    format: 'json',
    serversKey: ['mcpServers'],
    userFile: claudeCodeFile,
    projectFile: (project, env) => pathsFor(env.platform).join(project, '.mcp.json'),
    installMarkers: (env) => [claudeCodeFile(env), inHome(env, '.claude')],
    binaries: ['claude'],
    entry: (spec) =>
      spec.kind === 'stdio'
        ? { type: 'stdio', ...stdio(spec) }
        : { type: 'http', url: urlOf(spec), headers: envBearer(`\${${TOKEN_ENV}}`) },
    urlRefusal: null,
    childEnv: 'inherit',
    reload: 'start a new Claude Code session (or /mcp to reconnect)',
  },
  cursor: {
    id: 'cursor',
    label: 'Cursor',
    scopes: ['user', 'project'],
    format: 'json',
    serversKey: ['mcpServers'],
    userFile: (env) => inHome(env, '.cursor', 'mcp.json'),
    projectFile: (project, env) => pathsFor(env.platform).join(project, '.cursor', 'mcp.json'),
    installMarkers: (env) => [inHome(env, '.cursor'), '/Applications/Cursor.app'],
    binaries: ['cursor'],
    entry: (spec) =>
      spec.kind === 'stdio' ? stdio(spec) : { url: urlOf(spec), headers: envBearer(`\${env:${TOKEN_ENV}}`) },
    urlRefusal: null,
    childEnv: 'inherit',
    reload: 'refresh the server in Cursor Settings → MCP, or restart Cursor',
    toolLimit: 40,
  },
  vscode: {
    id: 'vscode',
    label: 'VS Code',
    scopes: ['user', 'project'],
    format: 'json',
    serversKey: ['servers'],
    userFile: (env) => pathsFor(env.platform).join(vscodeUserDir(env), 'mcp.json'),
    projectFile: (project, env) => pathsFor(env.platform).join(project, '.vscode', 'mcp.json'),
    installMarkers: (env) => [vscodeUserDir(env), '/Applications/Visual Studio Code.app'],
    binaries: ['code', 'code-insiders'],
    entry: (spec) =>
      spec.kind === 'stdio'
        ? { type: 'stdio', ...stdio(spec) }
        : { type: 'http', url: urlOf(spec), headers: envBearer(`\${input:${VSCODE_INPUT_ID}}`) },
    urlRefusal: null,
    childEnv: 'inherit',
    reload: 'VS Code notices the change; start or restart the server from the MCP view',
    toolLimit: 128,
  },
  windsurf: {
    id: 'windsurf',
    label: 'Windsurf',
    scopes: ['user'],
    format: 'json',
    serversKey: ['mcpServers'],
    userFile: (env) => inHome(env, '.codeium', 'windsurf', 'mcp_config.json'),
    installMarkers: (env) => [inHome(env, '.codeium', 'windsurf'), '/Applications/Windsurf.app'],
    binaries: ['windsurf'],
    // A bare `url` failed to connect in some Windsurf versions; `serverUrl` is what its docs write.
    entry: (spec) =>
      spec.kind === 'stdio' ? stdio(spec) : { serverUrl: urlOf(spec), headers: envBearer(`\${env:${TOKEN_ENV}}`) },
    urlRefusal: null,
    childEnv: 'inherit',
    reload: 'press refresh in Windsurf’s MCP panel',
    toolLimit: 100,
  },
  zed: {
    id: 'zed',
    label: 'Zed',
    scopes: ['user', 'project'],
    format: 'json',
    serversKey: ['context_servers'],
    userFile: (env) => pathsFor(env.platform).join(zedDir(env), 'settings.json'),
    projectFile: (project, env) => pathsFor(env.platform).join(project, '.zed', 'settings.json'),
    installMarkers: (env) => [zedDir(env), '/Applications/Zed.app'],
    binaries: ['zed', 'zeditor'],
    entry: (spec) => ({ ...stdio(spec), enabled: true }),
    urlRefusal: STDIO_ONLY('Zed'),
    childEnv: 'inherit',
    reload: 'Zed reloads its settings; restart the server from the Agent Panel if it does not',
  },
  codex: {
    id: 'codex',
    label: 'Codex',
    scopes: ['user', 'project'],
    format: 'toml',
    serversKey: ['mcp_servers'],
    userFile: (env) => pathsFor(env.platform).join(codexHome(env), 'config.toml'),
    projectFile: (project, env) => pathsFor(env.platform).join(project, '.codex', 'config.toml'),
    installMarkers: (env) => [codexHome(env)],
    binaries: ['codex'],
    // Codex passes only an allow-list of variables to a server: the keychain's bus must be named to get through.
    entry: (spec) => {
      if (spec.kind === 'url') return { url: spec.url, bearer_token_env_var: TOKEN_ENV };
      const { command, args, env } = stdio(spec);
      return {
        command,
        args,
        ...(Object.keys(env).length === 0 ? {} : { env }),
        env_vars: ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'SWITCHBOARD_VAULT_PASSPHRASE'],
      };
    },
    urlRefusal: null,
    childEnv: 'codex-allow-list',
    reload: 'restart Codex',
  },
  gemini: {
    id: 'gemini',
    label: 'Gemini CLI',
    scopes: ['user', 'project'],
    format: 'json',
    serversKey: ['mcpServers'],
    userFile: (env) => inHome(env, '.gemini', 'settings.json'),
    projectFile: (project, env) => pathsFor(env.platform).join(project, '.gemini', 'settings.json'),
    installMarkers: (env) => [inHome(env, '.gemini')],
    binaries: ['gemini'],
    entry: (spec) => stdio(spec),
    urlRefusal: STDIO_ONLY('Gemini CLI'),
    childEnv: 'gemini-redaction',
    reload: 'restart Gemini CLI',
  },
  cline: {
    id: 'cline',
    label: 'Cline',
    scopes: ['user'],
    format: 'json',
    serversKey: ['mcpServers'],
    userFile: clineFile,
    installMarkers: (env) => [pathsFor(env.platform).dirname(clineFile(env)), inHome(env, '.cline')],
    binaries: ['cline'],
    entry: (spec) => ({ ...stdio(spec), disabled: false, autoApprove: [] }),
    urlRefusal: STDIO_ONLY('Cline'),
    childEnv: 'inherit',
    reload: 'none: Cline watches its file and reconnects',
  },
};

export function isClientId(text: string): text is ClientId {
  return (CLIENT_IDS as readonly string[]).includes(text);
}

/** The file and key for a client in a scope; an Error when the client has no such scope or no project was given. */
export function locate(id: ClientId, scope: ClientScope, env: ClientEnv, project?: string): ClientLocation | Error {
  const client = CLIENTS[id];
  if (!client.scopes.includes(scope)) {
    return new Error(`${client.label} has no ${scope}-level configuration; use --scope ${client.scopes[0]}`);
  }
  let file: string;
  if (scope === 'project') {
    if (project === undefined) return new Error('--scope project needs the project folder: --project DIR');
    file = client.projectFile!(project, env);
  } else {
    file = client.userFile(env);
  }
  return { client: id, scope, file, serversKey: client.serversKey, format: client.format };
}

/** Whether the client is on this machine: one of its folders or files exists, or one of its binaries is on PATH. */
export function isInstalled(id: ClientId, env: ClientEnv, exists: (path: string) => boolean = existsSync): boolean {
  const client = CLIENTS[id];
  if (client.installMarkers(env).some((marker) => exists(marker))) return true;
  const path = pathsFor(env.platform);
  const dirs = (env.env['PATH'] ?? '').split(env.platform === 'win32' ? ';' : ':').filter((d) => d !== '');
  const suffixes = env.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  return client.binaries.some((bin) => dirs.some((dir) => suffixes.some((s) => exists(path.join(dir, bin + s)))));
}
