// `switchboard server login NAME`: signs in to a remote server that asks for OAuth. Opens the authorization page in
// the browser (or prints it), waits for the answer on a 127.0.0.1 listener, checks it, stores the tokens in the
// vault and tells a running gateway to reconnect the server with them.
import { loadConfig } from '../../config/load-config.ts';
import { controlRequest } from '../../control/control-client.ts';
import { Credentials } from '../../core/credentials.ts';
import { createLogger } from '../../log/logger.ts';
import { interactiveLogin } from '../../oauth/interactive-login.ts';
import { openAuthorizationPage } from '../../oauth/open-browser.ts';
import { dataDirPaths } from '../../paths/data-dir.ts';
import { Redactor } from '../../redact/redactor.ts';
import { openVault, parseVaultBackend } from '../../vault/open-vault.ts';
import { UsageError, stringOption, type Command } from '../command.ts';

const DEFAULT_WAIT_S = 300;

export const serverLoginCommand: Command = {
  path: ['server', 'login'],
  summary: 'Sign in to a remote server that asks for OAuth (opens the browser, or prints the page to open).',
  usage: 'switchboard server login NAME [--no-browser] [--port N] [--timeout SECONDS] [--vault keychain|file]',
  options: {
    'no-browser': { type: 'boolean' },
    port: { type: 'string' },
    timeout: { type: 'string' },
    vault: { type: 'string' },
  },
  allowPositionals: true,
  async run(args, global, io) {
    if (args.positionals.length !== 1) throw new UsageError(`expected one server name; usage: ${this.usage}`);
    const name = args.positionals[0]!;
    const port = Number(stringOption(args, 'port') ?? '0');
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be 0 to 65535');
    const waitS = Number(stringOption(args, 'timeout') ?? DEFAULT_WAIT_S);
    if (!Number.isFinite(waitS) || waitS <= 0) throw new UsageError('--timeout takes a number of seconds');
    const backend = parseVaultBackend(stringOption(args, 'vault'));
    if (backend instanceof Error) throw new UsageError(backend.message);

    const loaded = await loadConfig(dataDirPaths(global.dataDir).config);
    if (!loaded.ok) {
      for (const p of loaded.problems) io.err(`server login: ${p.path ? `${p.path}: ` : ''}${p.message}\n`);
      return 1;
    }
    const config = loaded.config;
    const server = config.servers[name];
    if (server === undefined) {
      io.err(
        `server login: no server named "${name}"; configured: ${Object.keys(config.servers).join(', ') || 'none'}\n`,
      );
      return 1;
    }
    if (server.transport === 'stdio') {
      io.err(`server login: "${name}" is a stdio server; OAuth sign-in is for remote servers (--url)\n`);
      return 1;
    }
    const redactor = new Redactor();
    const logger = createLogger({ level: 'warn', write: (line) => io.err(redactor.redact(line)) });
    const credentials = new Credentials({
      dataDir: global.dataDir,
      vault: openVault({ backend: backend ?? config.vault, dataDir: global.dataDir, env: io.env }),
      redactor,
      config: () => config,
      logger,
    });
    const resolved = await credentials.resolve(server);
    if (!resolved.ok) {
      io.err(`server login: ${resolved.message}\n`);
      return 1;
    }
    const remote = resolved.config;
    if (remote.transport === 'stdio') return 1;

    const browser = args.values['no-browser'] !== true;
    const outcome = await interactiveLogin({
      credentials,
      name,
      remote,
      port,
      waitMs: waitS * 1000,
      logger,
      present: async (url, redirectUrl) => {
        const opened = browser ? await openAuthorizationPage(url).catch(() => false) : false;
        io.err(
          opened
            ? `Opened your browser to sign in to "${name}". If nothing appeared, open:\n  ${url}\n`
            : `Open this page to sign in to "${name}":\n  ${url}\n`,
        );
        io.err(`Waiting up to ${waitS} s for the answer on ${redirectUrl} ...\n`);
      },
    });
    if (!outcome.ok) {
      io.err(`server login: ${redactor.redact(outcome.error)}\n`);
      return 1;
    }
    if (!outcome.signedIn) {
      io.out(`"${name}" did not ask for authorization; nothing to sign in to\n`);
      return 0;
    }
    const running = await controlRequest(global.dataDir, 'POST', `/servers/${encodeURIComponent(name)}/restart`);
    const gateway = running.ok ? '; the running gateway reconnects it now' : '';
    io.out(
      global.json
        ? JSON.stringify({ server: name, signedIn: true, tools: outcome.tools, gatewayRestarted: running.ok }) + '\n'
        : `signed in to "${name}" (${outcome.tools} tools); tokens are in ${credentials.vault.label}${gateway}\n`,
    );
    return 0;
  },
};
