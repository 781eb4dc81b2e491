// The client command for the conformance suite's `auth/*` scenarios: connects to the URL it is given exactly as the
// supervisor connects a remote server (`connectRemote`, the guarded fetch, Switchboard's OAuth provider), with the
// browser step done headlessly: the authorization page is fetched and its redirect read and checked like a real
// browser answer. Then it lists tools and calls one, signing in again when a call asks for more scope.
//   node test/conformance/oauth-client.ts <server-url>
// MCP_CONFORMANCE_CONTEXT may hold a pre-registered client (client_id, client_secret).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { remoteServerSchema } from '../../main/config/schema.ts';
import { Credentials } from '../../main/core/credentials.ts';
import { createLogger } from '../../main/log/logger.ts';
import { withSignIn } from '../../main/oauth/sign-in.ts';
import { Redactor } from '../../main/redact/redactor.ts';
import { connectRemote, remoteFetch } from '../../main/supervisor/remote-transport.ts';
import { validateConfig } from '../../main/config/validate-config.ts';
import { MemoryVault } from '../helpers/memory-vault.ts';

/** The client ID metadata document URL the suite's CIMD scenario expects to be offered. */
const CIMD_URL = 'https://conformance-test.local/client-metadata.json';

const url = process.argv[2];
if (url === undefined) {
  process.stderr.write('usage: oauth-client.ts <server-url>\n');
  process.exit(2);
}
const context = JSON.parse(process.env['MCP_CONFORMANCE_CONTEXT'] ?? '{}') as {
  client_id?: string;
  client_secret?: string;
};
const config = remoteServerSchema.parse({
  url,
  oauth: {
    clientMetadataUrl: CIMD_URL,
    // The suite's authorization server listens on another loopback port than its MCP server.
    allowPrivateNetwork: true,
    ...(context.client_id === undefined ? {} : { clientId: context.client_id }),
    ...(context.client_secret === undefined ? {} : { clientSecret: context.client_secret }),
  },
});
const logger = createLogger({ level: 'warn' });
const parsed = validateConfig({});
if (!parsed.ok) throw new Error('the empty config does not validate');
const credentials = new Credentials({
  dataDir: process.cwd(),
  vault: new MemoryVault(),
  redactor: new Redactor(),
  config: () => parsed.config,
  logger,
});
const provider = await credentials.oauthProvider('conformance', config, {
  kind: 'headless',
  redirectUrl: 'http://127.0.0.1:33418/oauth/callback',
  fetch: remoteFetch(config),
});
const noCode = async (): Promise<string> => {
  throw new Error('the authorization page did not redirect back with an answer');
};
const connection = await withSignIn(
  provider,
  () =>
    connectRemote(config, {
      newClient: () => new Client({ name: 'switchboard', version: '0.1.0' }, { capabilities: {} }),
      timeoutMs: 20_000,
      logger,
      onClose: () => {},
      authProvider: provider,
    }),
  noCode,
);
const { client } = connection;
const tools = await withSignIn(provider, () => client.listTools(), noCode);
const tool = tools.tools[0]?.name ?? 'test-tool';
await withSignIn(provider, () => client.callTool({ name: tool, arguments: {} }), noCode);
await client.close();
provider.dispose();
process.exit(0);
