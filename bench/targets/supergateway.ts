// (d) The peer: the same echo server behind `supergateway --stdio … --outputTransport streamableHttp --stateful`.
// It logs every message at its default level, so it runs with --logLevel none to be measured at its best, and
// with bench/loopback-only.ts preloaded, since it has no option to listen on loopback only.
import { ECHO_SERVER, LOOPBACK_ONLY, REPO_ROOT, SUPERGATEWAY_BIN } from '../paths.ts';
import { startAnnouncing } from './child.ts';
import { connectHttp } from './connection.ts';
import { START_TIMEOUT_MS, type Target } from './target.ts';

/** supergateway runs its --stdio command through a shell. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

export async function supergateway(): Promise<Target> {
  const started = await startAnnouncing('supergateway', {
    command: process.execPath,
    args: [
      '--import',
      LOOPBACK_ONLY,
      SUPERGATEWAY_BIN,
      '--stdio',
      `${shellQuote(process.execPath)} ${shellQuote(ECHO_SERVER)}`,
      '--outputTransport',
      'streamableHttp',
      '--stateful',
      '--port',
      '0',
      '--logLevel',
      'none',
    ],
    cwd: REPO_ROOT,
    timeoutMs: START_TIMEOUT_MS,
  });
  const url = `http://127.0.0.1:${Number(started.announced['port'])}/mcp`;
  return {
    name: 'supergateway',
    tool: 'echo',
    pid: started.pid,
    connect: () => connectHttp(url),
    // supergateway gives its children up to 5 s to leave after SIGTERM.
    stop: () => started.stop(15_000),
  };
}
