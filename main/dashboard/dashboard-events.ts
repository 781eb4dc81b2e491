// The dashboard's event stream: a WebSocket at /api/events, opened with the same credentials as the API and from
// no foreign Origin (a page on another site cannot read the stream through the user's cookie). Every open stream
// gets every event in order; one that falls behind (a stalled tab) is closed rather than buffered without bound,
// and its dashboard reconnects and reads the current state again.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENTS_PATH, type ControlEvent } from '../../preload/contract.ts';
import { checkOrigin, type OriginPolicy } from '../gateway/http/request-guards.ts';
import type { DashboardAccess } from './dashboard-access.ts';

/** Bytes a stream may have waiting to be sent before it is closed as too slow. */
const MAX_BUFFERED = 1024 * 1024;
const MAX_STREAMS = 32;

/** Answers an HTTP upgrade that is not taken, and closes its socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export class DashboardEvents {
  readonly #access: DashboardAccess;
  readonly #origins: OriginPolicy;
  // Clients send nothing: a tiny payload limit keeps a socket from being used to push data at the core.
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });

  constructor(access: DashboardAccess, origins: OriginPolicy) {
    this.#access = access;
    this.#origins = origins;
  }

  /** Takes an HTTP upgrade for the event stream; refuses any other, and any without credentials. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string): void {
    if (path !== EVENTS_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (checkOrigin(req, this.#origins) !== null) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!this.#access.allows(req)) return refuseUpgrade(socket, 401, 'Unauthorized');
    if (this.#wss.clients.size >= MAX_STREAMS) return refuseUpgrade(socket, 503, 'Service Unavailable');
    this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('message', () => ws.close(1008, 'the event stream takes no messages'));
    });
  }

  get streams(): number {
    return this.#wss.clients.size;
  }

  publish(event: ControlEvent): void {
    if (this.#wss.clients.size === 0) return;
    const data = JSON.stringify(event);
    for (const ws of this.#wss.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED) ws.close(1013, 'too far behind; reconnect and read the state again');
      else ws.send(data);
    }
  }

  close(): void {
    for (const ws of this.#wss.clients) ws.close(1001, 'Switchboard is shutting down');
    this.#wss.close();
  }
}
