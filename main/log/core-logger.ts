// The logger of a running core (serve, and later the desktop app): pino, writing JSON lines to a rotating
// `gateway.log` in the data directory, and to the terminal as well: readable lines when it is a terminal, the
// same JSON when it is a pipe (a service manager's journal, a log shipper).
import { pino, type Logger as PinoLogger } from 'pino';
import { createRequire } from 'node:module';
import type * as PinoPrettyModule from 'pino-pretty';
import { LogSink } from '../supervisor/log-sink.ts';
import type { Logger, LogLevel } from './logger.ts';

type PinoPretty = typeof PinoPrettyModule;

export interface CoreLoggerOptions {
  /** The data directory: the file is `<dir>/gateway.log`, rotated at `maxBytes`, `keep` old files kept. */
  readonly dir: string;
  readonly level?: LogLevel;
  readonly maxBytes?: number;
  readonly keep?: number;
  /** Where the terminal copy goes; nothing when null. */
  readonly terminal?: { write(text: string): unknown; isTTY?: boolean } | null;
}

function wrap(inner: PinoLogger): Logger {
  return {
    debug: (msg, fields) => inner.debug(fields ?? {}, msg),
    info: (msg, fields) => inner.info(fields ?? {}, msg),
    warn: (msg, fields) => inner.warn(fields ?? {}, msg),
    error: (msg, fields) => inner.error(fields ?? {}, msg),
    child: (fields) => wrap(inner.child(fields)),
  };
}

export function coreLogger(options: CoreLoggerOptions): Logger & { close(): void } {
  const file = new LogSink({
    dir: options.dir,
    name: 'gateway',
    maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
    keep: options.keep ?? 5,
    tailLines: 0,
  });
  const terminal = options.terminal === undefined ? process.stderr : options.terminal;
  // pino-pretty is loaded only for a terminal: a service writing to a pipe or journal never needs it.
  const pretty =
    terminal?.isTTY === true
      ? (createRequire(import.meta.url)('pino-pretty') as PinoPretty).prettyFactory({
          colorize: true,
          translateTime: 'HH:MM:ss.l',
          ignore: 'pid,hostname',
        })
      : null;
  const destination = {
    write(line: string): void {
      file.write(Buffer.from(line));
      if (terminal === null) return;
      terminal.write(pretty === null ? line : pretty(JSON.parse(line)));
    },
  };
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      messageKey: 'msg',
    },
    destination,
  );
  return { ...wrap(logger), close: () => file.close() };
}
