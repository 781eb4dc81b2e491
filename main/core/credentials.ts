// The core's side of credentials: one vault, one redactor, and what follows from secret metadata in the config:
// resolving references at start, remembering when a secret was last used, rotating servers whose secret got a new
// value, and watching expiry dates.
import { EventEmitter } from 'node:events';
import type { Config, RemoteServerConfig, ServerConfig } from '../config/schema.ts';
import { OAuthStore } from '../oauth/oauth-store.ts';
import { SwitchboardOAuthProvider, type Interaction } from '../oauth/oauth-provider.ts';
import { remoteFetch } from '../supervisor/remote-transport.ts';
import { updateConfig } from '../config/update-config.ts';
import type { Logger } from '../log/logger.ts';
import type { Redactor } from '../redact/redactor.ts';
import { expiryStanding, type ExpiryStanding } from '../vault/expiry.ts';
import { resolveServerSecrets, type ResolvedServer } from '../vault/resolve-secrets.ts';
import { secretsUsedBy } from '../vault/secret-refs.ts';
import type { SecretVault } from '../vault/vault.ts';

/** lastUsed is rewritten at most this often per secret: it is for people, and config writes wake every watcher. */
const LAST_USED_EVERY_MS = 60 * 60 * 1000;

export interface SecretStanding {
  readonly name: string;
  readonly expiry: ExpiryStanding;
}

export interface CredentialsOptions {
  readonly dataDir: string;
  readonly vault: SecretVault;
  readonly redactor: Redactor;
  readonly config: () => Config;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface CredentialsEvents {
  /** A secret came within 7 days or 1 day of its expiry, or passed it; raised once per secret and step. */
  expiry: [standing: SecretStanding];
}

export class Credentials extends EventEmitter<CredentialsEvents> {
  readonly vault: SecretVault;
  readonly #options: CredentialsOptions;
  readonly #now: () => number;
  /** Expiry warnings already given, as `name:state:days`, so each is raised once per serve. */
  readonly #warned = new Set<string>();
  #oauthStandings: () => SecretStanding[] = () => [];

  constructor(options: CredentialsOptions) {
    super();
    this.#options = options;
    this.vault = options.vault;
    this.#now = options.now ?? Date.now;
  }

  /** For the supervisor: fills a server's references, and teaches the redactor every value it hands out. */
  resolve = async (server: ServerConfig): Promise<ResolvedServer> => {
    const secrets = this.#options.config().secrets;
    const resolved = await resolveServerSecrets(server, {
      vault: this.vault,
      expiresAt: (name) => secrets[name]?.expires,
      now: this.#now,
    });
    if (resolved.ok && resolved.secrets.size > 0) {
      for (const [name, value] of resolved.secrets) this.#options.redactor.add(value, `secret ${name}`);
      this.#noteUsed([...resolved.secrets.keys()]);
    }
    return resolved;
  };

  /**
   * The OAuth client of a remote server, its registration and tokens loaded from the vault. In `serve` nobody can
   * sign in, so `interaction` is `none` there; `server login` passes a browser.
   */
  oauthProvider = async (
    server: string,
    config: RemoteServerConfig,
    interaction: Interaction = { kind: 'none' },
  ): Promise<SwitchboardOAuthProvider> => {
    const provider = new SwitchboardOAuthProvider({
      server,
      serverUrl: config.url,
      settings: config.oauth,
      store: new OAuthStore(this.vault, server),
      interaction,
      fetch: remoteFetch(config),
      onSecret: (value, label) => this.#options.redactor.add(value, label),
      logger: this.#options.logger.child({ server }),
    });
    try {
      await provider.load();
    } catch (error) {
      // Without the vault there are no stored tokens; a server that needs them is then blocked asking for a login.
      this.#options.logger.warn('could not read stored OAuth credentials', { server, error: (error as Error).message });
    }
    return provider;
  };

  /** Where the OAuth authorizations of remote servers stand, named `oauth:<server>`; set by the composition root. */
  watchOAuth(source: () => SecretStanding[]): void {
    this.#oauthStandings = source;
  }

  /** Every secret with metadata, and every OAuth authorization held, and where each stands against its end. */
  standings(): SecretStanding[] {
    const now = this.#now();
    return [
      ...Object.entries(this.#options.config().secrets).map(([name, meta]) => ({
        name,
        expiry: expiryStanding(meta, now),
      })),
      ...this.#oauthStandings(),
    ].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Logs a warning for each secret that has newly come within 7 days or 1 day of its expiry or passed it, and
   * returns those standings; called at start and then on a timer.
   */
  checkExpiry(): SecretStanding[] {
    const raised: SecretStanding[] = [];
    for (const standing of this.standings()) {
      const { expiry } = standing;
      if (expiry.state !== 'expiring' && expiry.state !== 'expired') continue;
      const key = `${standing.name}:${expiry.state}:${expiry.state === 'expiring' ? expiry.days : ''}`;
      if (this.#warned.has(key)) continue;
      this.#warned.add(key);
      raised.push(standing);
      this.#options.logger.warn(
        expiry.state === 'expired' ? 'secret has expired' : `secret expires within ${expiry.days} day(s)`,
        { secret: standing.name, expires: expiry.expires },
      );
      this.emit('expiry', standing);
    }
    return raised;
  }

  /** What to add to a server's upstream errors while a secret it uses has expired; null when none has. */
  noticeFor(server: ServerConfig): string | null {
    const secrets = this.#options.config().secrets;
    const now = this.#now();
    const expired = secretsUsedBy(server).filter((name) => {
      const meta = secrets[name];
      return meta !== undefined && expiryStanding(meta, now).state === 'expired';
    });
    if (expired.length === 0) return null;
    return expired
      .map(
        (name) =>
          `secret "${name}" expired on ${secrets[name]!.expires}; set a new value with \`switchboard secret set ${name}\``,
      )
      .join('; ');
  }

  #noteUsed(names: readonly string[]): void {
    const now = this.#now();
    const secrets = this.#options.config().secrets;
    const stale = names.filter((name) => {
      const meta = secrets[name];
      return (
        meta !== undefined && (meta.lastUsed === undefined || now - Date.parse(meta.lastUsed) >= LAST_USED_EVERY_MS)
      );
    });
    if (stale.length === 0) return;
    const stamp = new Date(now).toISOString();
    void updateConfig(this.#options.dataDir, (draft) => {
      const next = { ...draft.secrets };
      for (const name of stale) {
        const meta = next[name];
        if (meta !== undefined) next[name] = { ...meta, lastUsed: stamp };
      }
      return { ...draft, secrets: next };
    }).then(
      (result) => {
        if (!result.ok) this.#options.logger.warn('could not record when secrets were last used', { secrets: stale });
      },
      (error: unknown) =>
        this.#options.logger.warn('could not record when secrets were last used', { error: (error as Error).message }),
    );
  }
}
