// Preloaded (`node --import`) into a peer that cannot be told where to listen: supergateway listens on every
// interface at the port it is given. This makes a listen on a bare port bind 127.0.0.1 instead, and prints
// {"port", "pid"} as a line of stdout once it listens, so the benchmark can pass port 0 and learn the real one.
import { Server } from 'node:net';

const listen = Server.prototype.listen;

function loopbackListen(this: Server, ...args: unknown[]): Server {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  this.once('listening', () => {
    const address = this.address();
    if (address !== null && typeof address === 'object') {
      process.stdout.write(JSON.stringify({ port: address.port, pid: process.pid }) + '\n');
    }
  });
  return Reflect.apply(listen, this, args) as Server;
}

Server.prototype.listen = loopbackListen as typeof listen;
