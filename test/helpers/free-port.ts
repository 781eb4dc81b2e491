// A port free right now on 127.0.0.1, for a process that must be started (and perhaps started again) on a port
// known in advance. Another process could take it in between; the callers' ports live for one test or run.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
