// Where the benchmark finds what it starts: the repository, the echo server and the peers' entry points.
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ECHO_SERVER = fileURLToPath(new URL('./echo-server.ts', import.meta.url));
export const HTTP_FLOOR_SERVER = fileURLToPath(new URL('./http-floor-server.ts', import.meta.url));
export const LOOPBACK_ONLY = new URL('./loopback-only.ts', import.meta.url).href;
export const SWITCHBOARD_BIN = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url));
export const SUPERGATEWAY_BIN = fileURLToPath(new URL('../node_modules/supergateway/dist/index.js', import.meta.url));
export const MCP_PROXY_PACKAGE = fileURLToPath(new URL('../node_modules/mcp-proxy/package.json', import.meta.url));
export const MCP_PROXY_BIN = fileURLToPath(
  new URL('../node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs', import.meta.url),
);
export const MIX_SERVER = fileURLToPath(new URL('./mix-server.ts', import.meta.url));
