// Switchboard as an OAuth client of one remote MCP server (MCP authorization, 2025-11-25), on top of the SDK's
// `auth()` and its transports' `authProvider`. The SDK does discovery, registration, PKCE S256, the code exchange,
// `resource` indicators and refresh; this provider adds what it leaves out or gets wrong for a gateway:
// - refuses an authorization server that does not promise S256 (the SDK would go on without), whose metadata
//   names another issuer (RFC 8414 §3.3), or whose endpoints point at private or metadata addresses (T70);
// - checks the browser's answer itself: exact redirect URL, `state`, `iss` (RFC 9207), before the code is redeemed;
// - keeps client registration and tokens in the vault, teaches the redactor every token, and refreshes before
//   the access token expires rather than after a call has failed;
// - in `serve`, never opens anything: a server that needs a person to sign in is blocked until `server login`.
import { auth, type OAuthClientProvider, type OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { FetchLike } from '../net/guarded-fetch.ts';
import type { Logger } from '../log/logger.ts';
import { readCallback } from './authorization-callback.ts';
import { CALLBACK_PATH } from './loopback-listener.ts';
import { authorizationUrlRefusal, endpointRefusal, type EndpointContext } from './endpoint-policy.ts';
import type { OAuthRecords, OAuthStore } from './oauth-store.ts';
import { expiryStanding, type ExpiryStanding } from '../vault/expiry.ts';

/** A person must sign in before this server can be used: `switchboard server login NAME`. */
export class LoginRequiredError extends Error {
  readonly server: string;
  constructor(server: string, why: string) {
    super(`server "${server}" needs you to sign in (${why}); run \`switchboard server login ${server}\``);
    this.name = 'LoginRequiredError';
    this.server = server;
  }
}

/** The authorization server or its answer failed a check; nothing was sent to it after that. */
export class OAuthRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OAuthRefusedError';
  }
}

export type Interaction =
  /** `serve`: nobody to ask. Tokens are used and refreshed; anything needing a person blocks the server. */
  | { readonly kind: 'none' }
  /** `server login`: the page is handed to `present` (a browser, or printed); the answer comes back separately. */
  | { readonly kind: 'browser'; readonly redirectUrl: string; readonly present: (url: string) => Promise<void> }
  /** Tests and the conformance command: the authorization page is fetched and its redirect read, no browser. */
  | { readonly kind: 'headless'; readonly redirectUrl: string; readonly fetch: FetchLike };

export interface OAuthSettings {
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  readonly clientMetadataUrl?: string | undefined;
  readonly scope?: string | undefined;
  readonly allowPrivateNetwork: boolean;
}

export interface OAuthProviderOptions {
  readonly server: string;
  readonly serverUrl: string;
  readonly settings: OAuthSettings;
  readonly store: OAuthStore;
  readonly interaction: Interaction;
  /** The fetch of the connection (address-guarded), used for the refresh the provider starts itself. */
  readonly fetch: FetchLike;
  /** Told of every token and client secret, so logs and answers mask them. */
  readonly onSecret: (value: string, label: string) => void;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** Refresh this long before expiry, or a fifth of the lifetime for short-lived tokens. */
const REFRESH_MARGIN_MS = 60_000;

export class SwitchboardOAuthProvider implements OAuthClientProvider {
  readonly #o: OAuthProviderOptions;
  readonly #context: EndpointContext;
  readonly #now: () => number;
  #records: OAuthRecords | null = null;
  #verifier: string | undefined;
  #state: string | undefined;
  #discovery: OAuthDiscoveryState | undefined;
  /** The code read from the authorization answer, waiting for `finishAuth`. */
  #pendingCode: string | undefined;
  #refreshTimer: NodeJS.Timeout | null = null;
  #disposed = false;

  constructor(options: OAuthProviderOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#context = {
      serverOrigin: new URL(options.serverUrl).origin,
      allowPrivateNetwork: options.settings.allowPrivateNetwork,
    };
    if (options.settings.clientMetadataUrl !== undefined) this.clientMetadataUrl = options.settings.clientMetadataUrl;
  }

  clientMetadataUrl?: string;

  /** Loads what the vault holds; called once before the first connection attempt. */
  async load(): Promise<void> {
    this.#records = await this.#o.store.load();
    const { settings } = this.#o;
    if (settings.clientId !== undefined) {
      // A pre-registered client from the config wins over anything registered before.
      this.#records.client = {
        client_id: settings.clientId,
        ...(settings.clientSecret === undefined ? {} : { client_secret: settings.clientSecret }),
      };
    }
    this.#teach();
    this.#scheduleRefresh();
  }

  /**
   * Drops a registration made for another redirect URL (an earlier login on another port): authorization servers
   * match redirect URIs exactly, so the next authorization registers again. A configured client is kept.
   */
  async forgetRegistrationUnlessFor(redirectUrl: string): Promise<void> {
    const registered = (this.#records?.client as { redirect_uris?: string[] } | undefined)?.redirect_uris;
    if (this.#o.settings.clientId !== undefined || registered === undefined || registered.includes(redirectUrl)) return;
    await this.invalidateCredentials('client');
  }

  /**
   * Told of a 403 `insufficient_scope`. The SDK would answer it with a refresh, which never widens scope, and then
   * give up; without the refresh token it asks for a new authorization instead, which is what a step-up needs.
   */
  onInsufficientScope(): void {
    const held = this.#records?.tokens;
    if (held?.tokens.refresh_token === undefined) return;
    const { refresh_token: _dropped, ...tokens } = held.tokens;
    this.#records = { ...this.#records!, tokens: { ...held, tokens } };
  }

  /** The code from the last authorization answer, taken once. */
  takePendingCode(): string | undefined {
    const code = this.#pendingCode;
    this.#pendingCode = undefined;
    return code;
  }

  /**
   * Where the held authorization stands against its end: a refreshable one lasts as long as its refresh token
   * (unbounded unless the server said `refresh_token_expires_in`); one without a refresh token ends with its
   * access token. Null when nobody has signed in.
   */
  tokenStanding(): ExpiryStanding | null {
    const held = this.#records?.tokens;
    if (held === undefined) return null;
    const tokens = held.tokens as OAuthTokens & { refresh_token_expires_in?: number };
    const lifetime = tokens.refresh_token !== undefined ? tokens.refresh_token_expires_in : tokens.expires_in;
    if (lifetime === undefined) return { state: 'no-expiry' };
    return expiryStanding({ expires: new Date(held.obtainedAt + lifetime * 1000).toISOString() }, this.#now());
  }

  /** Whether tokens are held (a login happened and was not revoked). */
  get hasTokens(): boolean {
    return this.#records?.tokens !== undefined;
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#refreshTimer !== null) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
  }

  get redirectUrl(): string {
    const { interaction } = this.#o;
    if (interaction.kind !== 'none') return interaction.redirectUrl;
    // Without a person no redirect completes, but the SDK only refreshes tokens for clients that have one.
    const registered = (this.#records?.client as { redirect_uris?: string[] } | undefined)?.redirect_uris?.[0];
    return registered ?? `http://127.0.0.1${CALLBACK_PATH}`;
  }

  get clientMetadata(): OAuthClientMetadata {
    const { scope } = this.#o.settings;
    return {
      client_name: 'Switchboard',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...(scope === undefined ? {} : { scope }),
      // Not in the SDK's type, but registered as sent; 2026-07-28 asks native clients to say so.
      ...({ application_type: 'native' } as object),
    };
  }

  state(): string {
    this.#state = crypto.randomUUID();
    return this.#state;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#records?.client;
  }

  async saveClientInformation(client: OAuthClientInformationMixed): Promise<void> {
    this.#records = { ...(this.#records ?? { tokens: undefined }), client };
    this.#teach();
    await this.#o.store.saveClient(client);
  }

  tokens(): OAuthTokens | undefined {
    return this.#records?.tokens?.tokens;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    const stored = { tokens, obtainedAt: this.#now() };
    this.#records = { ...(this.#records ?? { client: undefined }), tokens: stored };
    this.#teach();
    await this.#o.store.saveTokens(stored);
    this.#scheduleRefresh();
  }

  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }

  codeVerifier(): string {
    if (this.#verifier === undefined)
      throw new OAuthRefusedError('no PKCE verifier: the authorization was not started here');
    return this.#verifier;
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'all' || scope === 'verifier') this.#verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.#discovery = undefined;
    if (this.#records === null) return;
    if (scope === 'all' || scope === 'tokens') {
      this.#records.tokens = undefined;
      await this.#o.store.saveTokens(undefined);
    }
    if ((scope === 'all' || scope === 'client') && this.#o.settings.clientId === undefined) {
      this.#records.client = undefined;
      await this.#o.store.saveClient(undefined);
    }
  }

  /**
   * Called by the SDK after discovery and before anything is registered or opened: the place to refuse. There is
   * deliberately no `discoveryState()`: discovery runs again on every 401, so a server that moves to another
   * authorization server is followed, and the old one's credentials are never presented to the new one.
   */
  saveDiscoveryState(found: OAuthDiscoveryState): void {
    const refuse: (why: string) => never = (why) => {
      throw new OAuthRefusedError(`refused the authorization server of "${this.#o.server}": ${why}`);
    };
    for (const [what, url] of [
      ['its authorization server', found.authorizationServerUrl],
      ['its resource metadata', found.resourceMetadataUrl],
    ] as const) {
      const refused = url === undefined ? null : endpointRefusal(url, this.#context);
      if (refused !== null) refuse(`${what}: ${refused}`);
    }
    const metadata = found.authorizationServerMetadata;
    if (metadata === undefined) {
      // The 2025-03-26 fallback (/authorize, /token, /register on the server's origin): nothing to vet beyond it.
      this.#discovery = found;
      this.#requireLoginIfNobodyHasSignedIn();
      return;
    }
    if (found.resourceMetadata !== undefined && metadata.issuer !== found.authorizationServerUrl) {
      refuse(`its metadata names issuer ${metadata.issuer}, but it was found as ${found.authorizationServerUrl}`);
    }
    const methods = metadata.code_challenge_methods_supported;
    if (methods === undefined)
      refuse('its metadata does not list code_challenge_methods_supported, so PKCE cannot be relied on');
    if (!methods.includes('S256')) refuse(`it does not support PKCE S256 (only ${methods.join(', ') || 'nothing'})`);
    for (const field of ['authorization_endpoint', 'token_endpoint', 'registration_endpoint'] as const) {
      const url = metadata[field];
      const refused = typeof url === 'string' ? endpointRefusal(url, this.#context) : null;
      if (refused !== null) refuse(`its ${field}: ${refused}`);
    }
    this.#discovery = found;
    this.#requireLoginIfNobodyHasSignedIn();
  }

  async redirectToAuthorization(url: URL): Promise<void> {
    const { interaction } = this.#o;
    if (interaction.kind === 'none')
      throw new LoginRequiredError(this.#o.server, 'its authorization expired or asks for more');
    const refused = authorizationUrlRefusal(url.href);
    if (refused !== null) throw new OAuthRefusedError(refused);
    if (interaction.kind === 'browser') {
      await interaction.present(url.href);
      return;
    }
    const response = await interaction.fetch(url.href, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (location === null)
      throw new OAuthRefusedError(`the authorization page answered ${response.status} without a redirect`);
    const code = this.acceptCallback(new URL(location, url));
    this.#pendingCode = code;
  }

  /** Redeems an authorization code (already checked by `acceptCallback`) for tokens, which are then stored. */
  async finish(code: string): Promise<void> {
    const metadataUrl = this.#discovery?.resourceMetadataUrl;
    await auth(this, {
      serverUrl: this.#o.serverUrl,
      authorizationCode: code,
      fetchFn: this.#o.fetch,
      ...(metadataUrl === undefined ? {} : { resourceMetadataUrl: new URL(metadataUrl) }),
    });
  }

  /** Checks the browser's answer; returns the code to redeem, or throws naming what was wrong. */
  acceptCallback(callback: URL): string {
    const metadata = this.#discovery?.authorizationServerMetadata as
      { issuer?: string; authorization_response_iss_parameter_supported?: boolean } | undefined;
    if (this.#state === undefined) throw new OAuthRefusedError('no login is waiting for an answer');
    const result = readCallback(callback, {
      redirectUrl: this.redirectUrl,
      state: this.#state,
      issuer: metadata?.issuer,
      issPromised: metadata?.authorization_response_iss_parameter_supported === true,
    });
    if (!result.ok) throw new OAuthRefusedError(result.error);
    return result.code;
  }

  /** Whether a callback URL answers the login in progress (for the loopback listener). */
  matchesState(callback: URL): boolean {
    return this.#state !== undefined && callback.searchParams.get('state') === this.#state;
  }

  #requireLoginIfNobodyHasSignedIn(): void {
    if (this.#o.interaction.kind === 'none' && this.#records?.tokens === undefined) {
      throw new LoginRequiredError(this.#o.server, 'it asks for authorization and nobody has signed in yet');
    }
  }

  #teach(): void {
    const records = this.#records;
    if (records === null) return;
    const { access_token, refresh_token } = records.tokens?.tokens ?? {};
    if (access_token) this.#o.onSecret(access_token, `oauth token of ${this.#o.server}`);
    if (refresh_token) this.#o.onSecret(refresh_token, `oauth refresh token of ${this.#o.server}`);
    const secret = (records.client as { client_secret?: string } | undefined)?.client_secret;
    if (secret) this.#o.onSecret(secret, `oauth client secret of ${this.#o.server}`);
  }

  /** Refreshes ahead of expiry when a refresh token is held, so calls do not meet an expired token. */
  #scheduleRefresh(): void {
    if (this.#refreshTimer !== null) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
    const held = this.#records?.tokens;
    if (this.#disposed || held?.tokens.refresh_token === undefined || held.tokens.expires_in === undefined) return;
    const lifetimeMs = held.tokens.expires_in * 1000;
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 5);
    const delay = Math.max(0, held.obtainedAt + lifetimeMs - margin - this.#now());
    this.#refreshTimer = setTimeout(() => void this.#refresh(), delay);
    this.#refreshTimer.unref();
  }

  async #refresh(): Promise<void> {
    this.#refreshTimer = null;
    try {
      await auth(this, { serverUrl: this.#o.serverUrl, fetchFn: this.#o.fetch });
      this.#o.logger.info('oauth tokens refreshed ahead of expiry');
    } catch (error) {
      // The next call meets the expired token, and its 401 starts the SDK's own recovery or blocks the server.
      this.#o.logger.warn('oauth refresh failed', { error: (error as Error).message });
    }
  }
}
