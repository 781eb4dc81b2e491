// Where the gateway answers: the running serve's URL from serve.json, else the configured port on loopback. The
// bridge connects there, and a URL entry in a client file points there.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/load-config.ts';
import { DEFAULT_GATEWAY_PORT } from '../config/schema.ts';
import { dataDirPaths } from '../paths/data-dir.ts';

export async function gatewayUrl(dataDir: string): Promise<string> {
  const paths = dataDirPaths(dataDir);
  try {
    const info = JSON.parse(readFileSync(paths.serveInfo, 'utf8')) as { url?: unknown };
    if (typeof info.url === 'string') return info.url;
  } catch {
    // Not running, or from an older run: fall back to the configuration.
  }
  const config = await loadConfig(paths.config);
  const port = config.ok ? config.config.gateway.port : DEFAULT_GATEWAY_PORT;
  return `http://127.0.0.1:${port}/mcp`;
}
