// Where the control channel of a running `serve` listens: a Unix socket in the data directory (a named pipe on
// Windows). Only the user who owns the data directory can open it, so the socket itself is the credential and no
// token for the CLI has to be stored anywhere.
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** sun_path is 104-108 bytes depending on the OS; longer paths fall back to a short name in the temp folder. */
const MAX_SOCKET_PATH = 100;

export function controlSocketPath(dataDir: string, platform: NodeJS.Platform = process.platform): string {
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  if (platform === 'win32') return `\\\\.\\pipe\\switchboard-${hash}`;
  const preferred = join(dataDir, 'run', 'control.sock');
  return Buffer.byteLength(preferred) <= MAX_SOCKET_PATH ? preferred : join(tmpdir(), `switchboard-${hash}.sock`);
}
