// Connecting to a remote server: Streamable HTTP first, legacy SSE when that is all the server speaks.
// A server of the 2024-11-05 era answers the Streamable HTTP POST with a 4xx (404 or 405, for the URL serves only
// GET); the spec's backwards-compatibility section says to try SSE then. 401 and 403 are not that sign: they are
// an authentication problem, reported as such rather than hidden behind a second failure.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RemoteServerConfig } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import { connectWithin } from './connect.ts';

export type RemoteKind = 'streamable-http' | 'sse';

export interface RemoteConnection {
  readonly client: Client;
  readonly transport: Transport;
  readonly kind: RemoteKind;
}

export interface ConnectRemoteOptions {
  /** A fresh client per attempt: a Client that failed to connect is not reused. */
  readonly newClient: () => Client;
  /** The whole budget, both attempts included. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Called once when the connection that was handed out closes. */
  readonly onClose: () => void;
  readonly onError?: (error: Error) => void;
  readonly signal?: AbortSignal;
}

/** Whether a failed Streamable HTTP attempt means "this server speaks only legacy SSE". */
export function isLegacyServerError(error: unknown): boolean {
  if (!(error instanceof StreamableHTTPError) || error.code === undefined) return false;
  return error.code >= 400 && error.code < 500 && error.code !== 401 && error.code !== 403;
}

function makeTransport(kind: RemoteKind, url: URL, headers: Readonly<Record<string, string>>): Transport {
  const requestInit = { headers: { ...headers } };
  return kind === 'streamable-http'
    ? new StreamableHTTPClientTransport(url, { requestInit })
    : new SSEClientTransport(url, { requestInit });
}

export async function connectRemote(config: RemoteServerConfig, options: ConnectRemoteOptions): Promise<RemoteConnection> {
  const url = new URL(config.url);
  const deadline = Date.now() + options.timeoutMs;
  const attempt = (kind: RemoteKind): Promise<RemoteConnection> =>
    connectWithin({
      client: options.newClient(),
      transport: makeTransport(kind, url, config.headers),
      timeoutMs: Math.max(1, deadline - Date.now()),
      onClose: options.onClose,
      onError: options.onError,
      signal: options.signal,
    }).then(({ client, transport }) => ({ client, transport, kind }));

  if (config.transport === 'sse') return attempt('sse');
  try {
    return await attempt('streamable-http');
  } catch (error) {
    if (!isLegacyServerError(error)) throw error;
    options.logger.info('server does not speak Streamable HTTP; trying legacy SSE', {
      url: url.origin + url.pathname,
      status: (error as StreamableHTTPError).code,
    });
  }
  return attempt('sse');
}
