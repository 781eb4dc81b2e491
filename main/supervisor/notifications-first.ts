// Keeps a request's notifications ahead of its response on an upstream connection.
// The SDK's Protocol runs notification handlers one microtask late but handles a response at once, and deletes
// the request's progress handler when it does. So when a server's last progress notification and its result
// arrive in the same read (common over stdio and SSE), the result is handled first and that progress is
// dropped. Delivering each response one microtask late, after the notifications read before it, restores the
// order the server sent them in (gateway notes 10: a request's notifications reach its caller before its result).
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { isResponseMessage } from '../protocol/jsonrpc-message.ts';

type OnMessage = NonNullable<Transport['onmessage']>;

/**
 * Makes `transport` hand responses to whatever handler is installed on it one microtask after other messages.
 * `inbound`, when given, rewrites every message first (secrets masked before anything of the core sees them).
 */
export function deliverNotificationsFirst(
  transport: Transport,
  inbound: (message: JSONRPCMessage) => JSONRPCMessage = (message) => message,
): void {
  let wrapped: OnMessage | undefined;
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    enumerable: true,
    get: () => wrapped,
    set: (handler: OnMessage | undefined) => {
      wrapped =
        handler === undefined
          ? undefined
          : (received, extra) => {
              const message = inbound(received);
              if (isResponseMessage(message)) {
                queueMicrotask(() => handler(message, extra));
              } else {
                handler(message, extra);
              }
            };
    },
  });
}
