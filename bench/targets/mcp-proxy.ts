// (e) A further peer, when installed: the same echo server behind `mcp-proxy --server stream` (npm `mcp-proxy`, 6.x),
// which keeps one upstream client for every session. Not a dependency of Switchboard: the row appears when the
// package is in node_modules (as a devDependency), and the report says how to add it otherwise.
// It listens where --host says; bench/loopback-only.ts is preloaded only to learn the port it got for --port 0.
import { readFileSync } from 'node:fs';
import { ECHO_SERVER, LOOPBACK_ONLY, MCP_PROXY_BIN, MCP_PROXY_PACKAGE, REPO_ROOT } from '../paths.ts';
import { startAnnouncing } from './child.ts';
import { connectHttp } from './connection.ts';
import { START_TIMEOUT_MS, type Target } from './target.ts';

/** The major version whose command line this target speaks. */
const MAJOR = 6;

export const MCP_PROXY_MISSING = 'mcp-proxy: not installed (add it as a devDependency to compare)';

/** The installed version, or why the peer cannot be measured. */
export function mcpProxyVersion(): { ok: true; version: string } | { ok: false; why: string } {
  let version: unknown;
  try {
    version = (JSON.parse(readFileSync(MCP_PROXY_PACKAGE, 'utf8')) as { version?: unknown }).version;
  } catch {
    return { ok: false, why: MCP_PROXY_MISSING };
  }
  if (typeof version !== 'string' || !version.startsWith(`${MAJOR}.`)) {
    return {
      ok: false,
      why: `mcp-proxy: version ${String(version)} is installed; the bench speaks ${MAJOR}.x's options`,
    };
  }
  return { ok: true, version };
}

/** The command line the bench runs, for the report and the README. */
export function mcpProxyArgs(): string[] {
  return [
    '--import',
    LOOPBACK_ONLY,
    MCP_PROXY_BIN,
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--server',
    'stream',
    '--',
    process.execPath,
    ECHO_SERVER,
  ];
}

export async function mcpProxy(): Promise<Target> {
  const started = await startAnnouncing('mcp-proxy', {
    command: process.execPath,
    args: mcpProxyArgs(),
    cwd: REPO_ROOT,
    timeoutMs: START_TIMEOUT_MS,
  });
  const url = `http://127.0.0.1:${Number(started.announced['port'])}/mcp`;
  return {
    name: 'mcp-proxy',
    tool: 'echo',
    pid: started.pid,
    connect: () => connectHttp(url),
    // It gives its server up to 5 s (--gracefulShutdownTimeout) after SIGTERM.
    stop: () => started.stop(15_000),
  };
}
