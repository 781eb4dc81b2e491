// Signing in to a remote server that asks for OAuth, with a person at a browser: a loopback listener for the
// answer, the authorization page handed to `present` (which opens it, or shows it), the code redeemed, and a
// connection made with the new tokens to prove them. `switchboard server login`, the dashboard and the desktop
// app's "Log in" all come through here, so there is one login flow to get right.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RemoteServerConfig } from '../config/schema.ts';
import type { Credentials } from '../core/credentials.ts';
import { SWITCHBOARD_VERSION } from '../core/version.ts';
import type { Logger } from '../log/logger.ts';
import { CLIENT_CAPABILITIES } from '../supervisor/managed-server.ts';
import { connectRemote } from '../supervisor/remote-transport.ts';
import { listenForCallback } from './loopback-listener.ts';
import { withSignIn } from './sign-in.ts';

export interface LoginOptions {
  readonly credentials: Credentials;
  readonly name: string;
  /** The server's config with its secrets resolved. */
  readonly remote: RemoteServerConfig;
  /** Shows the person the authorization page: opens a browser, prints it, or both. */
  readonly present: (url: string, redirectUrl: string) => Promise<void>;
  readonly waitMs: number;
  /** The loopback listener's port; 0 picks a free one. */
  readonly port?: number;
  readonly logger: Logger;
}

export type LoginOutcome =
  | { readonly ok: true; readonly signedIn: boolean; readonly tools: number }
  | { readonly ok: false; readonly error: string };

export async function interactiveLogin(options: LoginOptions): Promise<LoginOutcome> {
  const { credentials, name, remote, waitMs, logger } = options;
  const listener = await listenForCallback(options.port ?? 0);
  const provider = await credentials.oauthProvider(name, remote, {
    kind: 'browser',
    redirectUrl: listener.redirectUrl,
    present: (url) => options.present(url, listener.redirectUrl),
  });
  try {
    // A login asks anew: tokens held so far are dropped, and a registration made for another redirect port too.
    await provider.invalidateCredentials('tokens');
    await provider.forgetRegistrationUnlessFor(listener.redirectUrl);
    const waitForCode = async (): Promise<string> => {
      const answer = await listener.next(waitMs, (url) => provider.matchesState(url));
      return provider.acceptCallback(answer);
    };
    const connect = () =>
      connectRemote(remote, {
        newClient: () =>
          new Client(
            { name: 'switchboard', version: SWITCHBOARD_VERSION },
            { capabilities: { ...CLIENT_CAPABILITIES } },
          ),
        timeoutMs: Math.max(remote.timeouts.startupMs, waitMs),
        logger,
        onClose: () => {},
        authProvider: provider,
      });
    const connection = await withSignIn(provider, connect, waitForCode);
    const tools = await connection.client.listTools().catch(() => ({ tools: [] }));
    await connection.client.close();
    return { ok: true, signedIn: provider.hasTokens, tools: tools.tools.length };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    provider.dispose();
    await listener.close();
  }
}
