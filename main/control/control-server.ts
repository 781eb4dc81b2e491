// The control channel of a running `serve`: status and server actions for the CLI, over the control socket.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import { replyJson } from '../gateway/http/http-reply.ts';
import { controlSocketPath } from './control-socket.ts';

export type ActionResult =
  { readonly ok: true } | { readonly ok: false; readonly status: number; readonly error: string };

export interface ControlHandlers {
  status(): unknown;
  serverAction(name: string, action: 'restart' | 'stop' | 'start'): Promise<ActionResult>;
}

const ACTION = /^\/servers\/([a-z0-9-]{1,32})\/(restart|stop|start)$/;

export class ControlServer {
  readonly #http: Server;
  readonly #path: string;

  constructor(dataDir: string, handlers: ControlHandlers) {
    this.#path = controlSocketPath(dataDir);
    this.#http = createServer((req, res) => {
      const url = req.url ?? '/';
      if (req.method === 'GET' && url === '/status') return replyJson(res, 200, handlers.status());
      const action = req.method === 'POST' ? ACTION.exec(url) : null;
      if (action) {
        void handlers.serverAction(action[1]!, action[2] as 'restart' | 'stop' | 'start').then((result) => {
          if (result.ok) replyJson(res, 200, { ok: true });
          else replyJson(res, result.status, { error: result.error });
        });
        return;
      }
      replyJson(res, 404, { error: `no control route ${req.method} ${url}` });
    });
  }

  get path(): string {
    return this.#path;
  }

  async listen(): Promise<void> {
    if (process.platform !== 'win32') {
      mkdirSync(dirname(this.#path), { recursive: true, mode: 0o700 });
      // A socket left by a crashed predecessor would make listen fail with EADDRINUSE.
      rmSync(this.#path, { force: true });
    }
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(this.#path, () => resolve());
    });
    if (process.platform !== 'win32') chmodSync(this.#path, 0o600);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
    this.#http.closeAllConnections();
    if (process.platform !== 'win32') rmSync(this.#path, { force: true });
  }
}
