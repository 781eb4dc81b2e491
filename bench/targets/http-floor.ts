// (b) The floor for any HTTP hop: the SDK's Streamable HTTP server answering the tool itself, in its own process.
import { HTTP_FLOOR_SERVER, REPO_ROOT } from '../paths.ts';
import { startAnnouncing } from './child.ts';
import { connectHttp } from './connection.ts';
import { START_TIMEOUT_MS, type Target } from './target.ts';

export async function httpFloor(): Promise<Target> {
  const started = await startAnnouncing('the SDK HTTP server (bench/http-floor-server.ts)', {
    command: process.execPath,
    args: [HTTP_FLOOR_SERVER],
    cwd: REPO_ROOT,
    timeoutMs: START_TIMEOUT_MS,
  });
  const url = String(started.announced['url']);
  return {
    name: 'http-floor',
    tool: 'echo',
    pid: started.pid,
    connect: () => connectHttp(url),
    stop: () => started.stop(),
  };
}
