// Where the benchmark finds what it starts: the repository, the echo server and the peers' entry points.
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ECHO_SERVER = fileURLToPath(new URL('./echo-server.ts', import.meta.url));
export const HTTP_FLOOR_SERVER = fileURLToPath(new URL('./http-floor-server.ts', import.meta.url));
export const LOOPBACK_ONLY = new URL('./loopback-only.ts', import.meta.url).href;
export const SWITCHBOARD_BIN = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url));
export const SUPERGATEWAY_BIN = fileURLToPath(new URL('../node_modules/supergateway/dist/index.js', import.meta.url));
