// The control channel of a running `serve`: status, server actions and tool pins for the CLI, over the control
// socket.
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
  /** `policy status`, `policy sync`, and re-reading the enrollment after `policy enroll|unenroll`. */
  teamPolicy?: { status(): unknown; sync(): Promise<unknown>; reload(): Promise<unknown> };
  /** `GET /tools/pins[?server=NAME]`. */
  toolPins(server: string | null): unknown;
  /** `POST /tools/approve?server=NAME[&tool=TOOL]...`: every changed tool of the server when no tool is named. */
  approveTools(
    server: string,
    tools: readonly string[] | null,
  ): { ok: true; approved: readonly string[] } | { ok: false; status: number; error: string };
}

const TEAM_POLICY = /^\/team-policy\/(status|sync|reload)$/;

const ACTION = /^\/servers\/([^/]{1,256})\/(restart|stop|start)$/;

export class ControlServer {
  readonly #http: Server;
  readonly #path: string;

  constructor(dataDir: string, handlers: ControlHandlers) {
    this.#path = controlSocketPath(dataDir);
    this.#http = createServer((req, res) => {
      const url = req.url ?? '/';
      if (req.method === 'GET' && url === '/status') {
        try {
          return replyJson(res, 200, handlers.status());
        } catch (error) {
          return replyJson(res, 500, { error: `status failed: ${(error as Error).message}` });
        }
      }
      const team = TEAM_POLICY.exec(url);
      if (team && handlers.teamPolicy) {
        const verb = team[1] as 'status' | 'sync' | 'reload';
        if ((verb === 'status') !== (req.method === 'GET'))
          return replyJson(res, 405, { error: `${req.method} ${url}` });
        Promise.resolve(handlers.teamPolicy[verb]())
          .then((value) => replyJson(res, 200, value ?? null))
          .catch((error: unknown) =>
            replyJson(res, 500, { error: `team policy ${verb} failed: ${(error as Error).message}` }),
          );
        return;
      }
      const { pathname, searchParams } = new URL(url, 'http://control');
      if (req.method === 'GET' && pathname === '/tools/pins') {
        return replyJson(res, 200, handlers.toolPins(searchParams.get('server')));
      }
      if (req.method === 'POST' && pathname === '/tools/approve') {
        const server = searchParams.get('server');
        if (server === null) return replyJson(res, 400, { error: 'approving tools needs ?server=NAME' });
        const tools = searchParams.getAll('tool');
        const result = handlers.approveTools(server, tools.length === 0 ? null : tools);
        return result.ok
          ? replyJson(res, 200, { approved: result.approved })
          : replyJson(res, result.status, { error: result.error });
      }
      const action = req.method === 'POST' ? ACTION.exec(url) : null;
      if (action) {
        let name: string;
        try {
          name = decodeURIComponent(action[1]!);
        } catch {
          return replyJson(res, 400, { error: `not a server name: ${action[1]}` });
        }
        handlers
          .serverAction(name, action[2] as 'restart' | 'stop' | 'start')
          .then((result) => {
            if (result.ok) replyJson(res, 200, { ok: true });
            else replyJson(res, result.status, { error: result.error });
          })
          .catch((error: unknown) => {
            // A failed action must answer the CLI, and must never take serve down as an unhandled rejection.
            replyJson(res, 500, { error: `the ${action[2]} failed: ${(error as Error).message}` });
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
    // close() waits for open connections; a CLI's keep-alive connection must not hold shutdown up.
    const closed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
    this.#http.closeAllConnections();
    await closed;
    if (process.platform !== 'win32') rmSync(this.#path, { force: true });
  }
}
