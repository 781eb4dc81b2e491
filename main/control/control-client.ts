// The CLI's side of the control channel: small JSON requests to a running `serve` over its socket.
import { request } from 'node:http';
import { controlSocketPath } from './control-socket.ts';

export type ControlResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly notRunning: boolean; readonly error: string };

export function controlRequest<T>(dataDir: string, method: 'GET' | 'POST', path: string): Promise<ControlResult<T>> {
  const socketPath = controlSocketPath(dataDir);
  return new Promise((resolve) => {
    const req = request({ socketPath, method, path, timeout: 15_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          resolve({
            ok: false,
            notRunning: false,
            error: `unreadable answer from the running gateway (${res.statusCode})`,
          });
          return;
        }
        if (res.statusCode === 200) resolve({ ok: true, value: body as T });
        else
          resolve({
            ok: false,
            notRunning: false,
            error: (body as { error?: string }).error ?? `HTTP ${res.statusCode}`,
          });
      });
    });
    req.on('timeout', () => req.destroy(new Error('the running gateway did not answer within 15 s')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const notRunning = error.code === 'ENOENT' || error.code === 'ECONNREFUSED';
      resolve({ ok: false, notRunning, error: notRunning ? 'switchboard serve is not running' : error.message });
    });
    req.end();
  });
}
