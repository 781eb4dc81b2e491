// `switchboard bridge`: for clients that only speak stdio. It pipes every message both ways between stdin/stdout
// and the gateway over Streamable HTTP with the client's token (SWITCHBOARD_TOKEN, else the one `switchboard
// connect` keeps in the vault for that client, so the client's config file holds no secret): requests, notifications, and the gateway's own
// requests to the client. Both ends are SDK transports; the bridge adds no protocol of its own, only what HTTP
// asks of a 2026-07-28 client that stdio does not (mirrored headers, cancel by closing: gateway/modern/http-relay.ts).
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '../../config/load-config.ts';
import { gatewayUrl } from '../../clients/gateway-url.ts';
import { clientTokenSecret } from '../../clients/our-entry.ts';
import { dataDirPaths } from '../../paths/data-dir.ts';
import { AnsweringStdioTransport } from '../../protocol/answering-stdio-transport.ts';
import { openVault } from '../../vault/open-vault.ts';
import { UsageError, stringOption, type CliIo, type Command } from '../command.ts';

export const bridgeCommand: Command = {
  path: ['bridge'],
  summary: 'Speak stdio to a client and forward everything to the gateway with its token.',
  usage:
    'switchboard bridge --client NAME [--url URL] [--server NAME]   (token from SWITCHBOARD_TOKEN, else the vault entry connect made)',
  options: { client: { type: 'string' }, url: { type: 'string' }, server: { type: 'string' } },
  allowPositionals: false,
  async run(args, global, io) {
    const client = stringOption(args, 'client');
    if (client === undefined) throw new UsageError('--client NAME is required (the name its token was created with)');
    const token = await clientToken(client, global.dataDir, io.env);
    const base = stringOption(args, 'url') ?? (await gatewayUrl(global.dataDir));
    const server = stringOption(args, 'server');
    const url = new URL(server === undefined ? base : `${base.replace(/\/$/, '')}/${server}`);
    await runBridge(url, token, io);
    return 0;
  },
};

/**
 * The client's token: SWITCHBOARD_TOKEN when set, else the one `connect` stored in the vault for this client. A
 * vault that cannot be read fails closed, with the reason on stderr (the client shows it in its MCP log).
 */
async function clientToken(client: string, dataDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const fromEnv = env.SWITCHBOARD_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const config = await loadConfig(dataDirPaths(dataDir).config);
  const vault = openVault({ backend: config.ok ? config.config.vault : 'keychain', dataDir, env });
  const stored = await vault.get(clientTokenSecret(client));
  const fix = `run switchboard connect ${client}, or set SWITCHBOARD_TOKEN`;
  if (!stored.ok) throw new Error(`cannot read the token of client "${client}" (${fix}): ${stored.error.message}`);
  if (stored.value === null) throw new UsageError(`no token for client "${client}" in ${vault.label}: ${fix}`);
  return stored.value;
}

/** After stdin ends, how long answers to requests already forwarded are still awaited before the bridge exits. */
const END_GRACE_MS = 30_000;

async function runBridge(url: URL, token: string, io: CliIo): Promise<void> {
  // Loaded here: the relay brings the 2026-07-28 SDK, which every other command (serve too) would carry unused.
  const { ModernHttpRelay } = await import('../../gateway/modern/http-relay.ts');
  // A line the gateway could never take is answered here, so the client hears why instead of waiting.
  const down = new AnsweringStdioTransport({
    onRefused: (why, line) => io.err(`switchboard bridge: refused a message from the client (${why}): ${line}\n`),
  });
  const relay = new ModernHttpRelay();
  const up = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: relay.fetch,
  });
  let initializeId: RequestId | null = null;
  /** Requests of the client still waiting for their answer. */
  const pending = new Set<RequestId>();
  let settled: (() => void) | null = null;

  const answered = (id: RequestId): void => {
    pending.delete(id);
    if (pending.size === 0) settled?.();
  };

  const fail = (request: JSONRPCMessage, error: unknown): void => {
    if (!isJSONRPCRequest(request)) {
      io.err(`switchboard bridge: could not forward ${describe(request)}: ${(error as Error).message}\n`);
      return;
    }
    answered(request.id);
    void down.send({ jsonrpc: '2.0', id: request.id, error: gatewayError(error) }).catch(() => {});
  };

  down.onmessage = (message) => {
    if (relay.fromClient(message)) return;
    if (isJSONRPCRequest(message)) {
      pending.add(message.id);
      if (message.method === 'initialize') initializeId = message.id;
    }
    up.send(message).catch((error: unknown) => fail(message, error));
  };
  up.onmessage = (message) => {
    relay.fromGateway(message);
    // Later requests must carry the negotiated version, which only the initialize answer tells.
    if (isJSONRPCResultResponse(message) && message.id === initializeId) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') up.setProtocolVersion(version);
    }
    void down.send(message).catch(() => {});
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      answered(message.id);
    }
  };
  up.onerror = (error) => io.err(`switchboard bridge: ${error.message}\n`);

  return new Promise((resolve) => {
    down.onclose = () => {
      void up
        .terminateSession()
        .catch(() => {})
        .finally(() => void up.close().finally(resolve));
    };
    // The stdio transport never reports the end of stdin; without this the bridge would outlive its client,
    // holding the gateway session open. Answers already on their way are still delivered, within a bound.
    process.stdin.once('end', () => {
      const timer = setTimeout(() => void down.close(), END_GRACE_MS);
      settled = () => {
        clearTimeout(timer);
        void down.close();
      };
      if (pending.size === 0) settled();
    });
    void up.start().then(() => down.start());
  });
}

/** The gateway's own JSON-RPC error when it sent one (e.g. 413 naming the limit), else a plain description. */
function gatewayError(error: unknown): { code: number; message: string; data?: unknown } {
  if (error instanceof StreamableHTTPError) {
    const body = /\{.*\}$/s.exec(error.message)?.[0];
    if (body !== undefined) {
      try {
        const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown; data?: unknown } };
        if (typeof parsed.error?.code === 'number' && typeof parsed.error.message === 'string') {
          return { code: parsed.error.code, message: parsed.error.message, data: parsed.error.data };
        }
      } catch {
        // Not a JSON-RPC body; describe the HTTP failure instead.
      }
    }
    return { code: ErrorCode.InternalError, message: `gateway answered HTTP ${error.code}: ${error.message}` };
  }
  return { code: ErrorCode.ConnectionClosed, message: `cannot reach the gateway: ${(error as Error).message}` };
}

function describe(message: JSONRPCMessage): string {
  return 'method' in message ? message.method : 'a response';
}
