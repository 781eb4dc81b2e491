// Reading a secret value without it ever being a command-line argument (visible in `ps` and shell history):
// piped standard input, or a terminal prompt that echoes nothing.
import type { CliInput, CliIo } from './command.ts';

/** Longer than any API key or certificate anyone pastes; stops `cat /dev/zero |` from filling memory. */
const MAX_SECRET_BYTES = 64 * 1024;

export type SecretInput =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

export async function readSecretValue(io: CliIo, prompt: string): Promise<SecretInput> {
  const input = io.stdin;
  if (input === undefined) return { ok: false, error: 'no standard input to read the value from' };
  const text = input.isTTY ? await promptHidden(input, io, prompt) : await readAll(input);
  if (text === null) return { ok: false, error: `the value is longer than ${MAX_SECRET_BYTES / 1024} KiB` };
  // `echo value |` and a typed Enter both end in a newline that is not part of the secret.
  const value = text.replace(/\r?\n$/, '');
  if (value === '') {
    return {
      ok: false,
      error:
        'the value is empty; pipe it in (`printf %s "$VALUE" | switchboard secret set NAME`) or type it when asked',
    };
  }
  return { ok: true, value };
}

async function readAll(input: CliInput): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_SECRET_BYTES) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(input: CliInput, io: CliIo, prompt: string): Promise<string | null> {
  io.err(prompt);
  return new Promise((resolve) => {
    let typed = '';
    const finish = (value: string | null): void => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      io.err('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(typed);
        if (char === '\u0003') return finish('');
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
        if (typed.length > MAX_SECRET_BYTES) return finish(null);
      }
    };
    input.setRawMode?.(true);
    input.on('data', onData);
    input.resume();
  });
}
