// What the gateway answers when Node's HTTP parser rejects a request before any handler sees it (headers over
// Node's 16 KiB limit, a malformed request line, a request too slow to arrive). Node's own answer is a bare status
// line with no body; this one carries the same status and a JSON-RPC error body naming the cause, so an MCP client
// shows the user a reason rather than failing to parse an empty reply.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { GatewayErrorCode } from './http-reply.ts';

const ANSWERS: Record<string, { status: number; reason: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    message: 'Request header fields too large: the headers together exceed the 16 KiB the gateway reads',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    reason: 'Payload Too Large',
    message: 'Payload too large: chunk extensions exceed what the gateway reads',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    message: 'Request timeout: the request did not arrive in time',
  },
};

const BAD_REQUEST = { status: 400, reason: 'Bad Request', message: 'Bad request: not a valid HTTP/1.1 request' };

/** The `clientError` handler of the gateway's HTTP server: one JSON answer when nothing was written yet, then close. */
export function answerClientError(error: Error & { code?: string }, duplex: Duplex): void {
  // Node hands every HTTP server's clientError a net.Socket; the typings only promise a Duplex.
  const socket = duplex as Socket;
  if (socket.writable && socket.bytesWritten === 0) {
    const { status, reason, message } = ANSWERS[error.code ?? ''] ?? BAD_REQUEST;
    const code = status === 413 ? GatewayErrorCode.BodyTooLarge : GatewayErrorCode.InvalidRequest;
    const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } });
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
    // Closed once the answer is flushed; whatever the client still sends is not read.
    socket.destroySoon();
    return;
  }
  socket.destroy(error);
}
