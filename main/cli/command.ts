// The shape every CLI command has: a name, its help text, and a run function that gets parsed arguments and
// returns an exit code. Output goes through `io` so commands can be tested without a terminal.
import type { Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Where secret values are read from: piped input, or a terminal that is asked without echo. */
  readonly stdin?: CliInput | undefined;
  /** Standard output as a stream, for output too large to build in memory (exports); `out` when absent. */
  readonly stdout?: Writable | undefined;
}

/** The part of process.stdin the CLI uses. */
export interface CliInput extends AsyncIterable<Buffer | string> {
  readonly isTTY?: boolean | undefined;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface GlobalOptions {
  readonly dataDir: string;
  readonly json: boolean;
}

export interface Command {
  /** Words that select the command, e.g. ['server', 'add']. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly allowPositionals: boolean;
  run(args: ParsedCommand, global: GlobalOptions, io: CliIo): Promise<number>;
}

export interface ParsedCommand {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: readonly string[];
  /** Everything after a literal `--`, untouched (the command line of a stdio server). */
  readonly rest: readonly string[];
}

/** A bad invocation: the message is printed as one line and the process exits with code 2. */
export class UsageError extends Error {}

export function parseCommandArgs(command: Command, argv: readonly string[]): ParsedCommand {
  const dash = argv.indexOf('--');
  const own = dash === -1 ? [...argv] : argv.slice(0, dash);
  const rest = dash === -1 ? [] : argv.slice(dash + 1);
  try {
    const { values, positionals } = parseArgs({
      args: withDashValues(own, command.options),
      options: command.options,
      allowPositionals: command.allowPositionals,
      strict: true,
    });
    return { values: values as ParsedCommand['values'], positionals, rest };
  } catch (error) {
    const message = (error as Error).message;
    // Node's wording for a value-taking option given none ("argument missing", "argument is ambiguous") names
    // the option but not what to do.
    const valueless = /^Option '(?:-[^-], )?(-{1,2}[^' ,]+)[^']*' argument (?:missing|is ambiguous)/.exec(message);
    const reason = valueless === null ? message.split('\n')[0] : `${valueless[1]} needs a value`;
    throw new UsageError(`${command.path.join(' ')}: ${reason}`);
  }
}

/** Our options are lower-case words joined by dashes; a key that begins with `--` has capitals, digits or `_`. */
const LONG_OPTION = /^--[a-z]+(?:-[a-z]+)*(?:=|$)/;

/**
 * A value may begin with a dash: a base64url key does one time in 64, and `policy keygen` prints one to paste
 * after `--key`. Node's parser refuses `--key -abc` as ambiguous; here the word after a value-taking option is its
 * value, unless it is one of the command's options or looks like a long option (`--name`, `--name=...`): then the
 * value was forgotten or an option mistyped, and the parser says so.
 */
function withDashValues(args: readonly string[], options: Command['options']): string[] {
  const optionWords = new Set<string>();
  const valueTaking = new Map<string, string>();
  for (const [name, option] of Object.entries(options)) {
    const words = option.short === undefined ? [`--${name}`] : [`--${name}`, `-${option.short}`];
    for (const word of words) {
      optionWords.add(word);
      if (option.type === 'string') valueTaking.set(word, name);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const name = valueTaking.get(args[i]!);
    const next = args[i + 1];
    if (name !== undefined && next?.startsWith('-') === true && !optionWords.has(next) && !LONG_OPTION.test(next)) {
      out.push(`--${name}=${next}`);
      i += 1;
    } else {
      out.push(args[i]!);
    }
  }
  return out;
}

export function stringOption(args: ParsedCommand, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(args: ParsedCommand, name: string): string[] {
  const value = args.values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** `KEY=VALUE` pairs from repeated flags such as `--env` and `--header`. */
export function keyValues(items: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} expects KEY=VALUE, got "${item}"`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}
