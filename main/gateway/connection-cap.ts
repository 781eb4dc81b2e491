// The cap on client connections the gateway holds open at once (gateway.maxConnections, T85). Every socket costs a
// file descriptor, and a process past its descriptor limit can open neither sockets nor files (audit, logs). Past
// the cap a new connection makes room by closing the oldest one that is idle (no request in flight, no open stream,
// no WebSocket): a pile of idle or half-sent connections cannot lock a real client out. When every connection is
// busy, the new one is closed at once. Either way the log names the limit.
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../log/logger.ts';

/** Closes logged one by one before only every hundredth is. */
const LOGGED_IN_FULL = 10;

export class ConnectionCap {
  readonly #max: number;
  readonly #logger: Logger;
  /** Open sockets, oldest first, with their requests in flight (an upgraded socket counts as one for good). */
  readonly #sockets = new Map<Socket, number>();
  #closed = 0;

  constructor(server: HttpServer, max: number, logger: Logger) {
    this.#max = max;
    this.#logger = logger;
    server.on('connection', (socket: Socket) => this.#admit(socket));
    server.on('request', (req, res) => {
      const socket = req.socket;
      this.#busy(socket, 1);
      res.once('close', () => this.#busy(socket, -1));
    });
    server.on('upgrade', (req) => this.#busy(req.socket, 1));
  }

  #busy(socket: Socket, delta: number): void {
    const busy = this.#sockets.get(socket);
    if (busy !== undefined) this.#sockets.set(socket, busy + delta);
  }

  #admit(socket: Socket): void {
    if (this.#sockets.size >= this.#max) {
      const idle = this.#oldestIdle();
      this.#refuse(idle ?? socket, idle === null ? 'the new one' : 'the oldest idle one');
      if (idle === null) return;
    }
    this.#sockets.set(socket, 0);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  #oldestIdle(): Socket | null {
    for (const [socket, busy] of this.#sockets) if (busy <= 0) return socket;
    return null;
  }

  #refuse(socket: Socket, which: string): void {
    this.#closed += 1;
    this.#sockets.delete(socket);
    socket.destroy();
    if (this.#closed <= LOGGED_IN_FULL || this.#closed % 100 === 0) {
      this.#logger.warn(`closed a connection: gateway.maxConnections (${this.#max}) reached`, {
        closed: which,
        closedSoFar: this.#closed,
        limit: this.#max,
        setting: 'gateway.maxConnections',
      });
    }
  }
}
