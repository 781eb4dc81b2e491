// `switchboard serve`: runs the core headless until SIGTERM or SIGINT, then shuts down gracefully.
import { controlRequest } from '../../control/control-client.ts';
import { Core } from '../../core/core.ts';
import { coreLogger } from '../../log/core-logger.ts';
import { parseVaultBackend } from '../../vault/open-vault.ts';
import { UsageError, stringOption, type Command } from '../command.ts';

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'Run the gateway and supervise every configured server (headless).',
  usage: 'switchboard serve [--port N] [--vault keychain|file] [--data-dir DIR]',
  options: { port: { type: 'string' }, vault: { type: 'string' } },
  allowPositionals: false,
  async run(args, global, io) {
    const portText = stringOption(args, 'port');
    const port = portText === undefined ? undefined : Number(portText);
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
      throw new UsageError(`--port must be a whole number from 0 to 65535, got "${portText}"`);
    }
    const vault = parseVaultBackend(stringOption(args, 'vault'));
    if (vault instanceof Error) throw new UsageError(vault.message);
    const running = await controlRequest<{ pid: number; gatewayUrl: string }>(global.dataDir, 'GET', '/status');
    if (running.ok) {
      io.err(
        `switchboard serve is already running for ${global.dataDir} (pid ${running.value.pid}, ${running.value.gatewayUrl})\n`,
      );
      return 1;
    }
    const logger = coreLogger({
      dir: global.dataDir,
      level: io.env.SWITCHBOARD_LOG_LEVEL === 'debug' ? 'debug' : 'info',
    });
    const started = await Core.start({
      dataDir: global.dataDir,
      logger,
      ...(port === undefined ? {} : { port }),
      ...(vault === undefined ? {} : { vault }),
    });
    if (!started.ok) {
      io.err(`switchboard serve: ${started.error}\n`);
      return 1;
    }
    const { core } = started;
    io.out(
      global.json
        ? JSON.stringify({ url: core.gatewayUrl, dashboard: core.dashboardUrl, pid: process.pid }) + '\n'
        : `Switchboard gateway: ${core.gatewayUrl}\nDashboard: ${core.dashboardUrl}\n`,
    );
    // A second signal during shutdown finds no handler and ends the process at once, as people expect of Ctrl+C.
    return new Promise<number>((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        logger.info('shutting down', { signal });
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        core.stop().then(
          () => {
            logger.close();
            resolve(0);
          },
          (error: unknown) => {
            io.err(`switchboard serve: shutdown failed: ${(error as Error).message}\n`);
            resolve(1);
          },
        );
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
  },
};
