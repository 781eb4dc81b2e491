// `switchboard policy publish FILE --key PRIVATE_KEY_FILE --to URL`: signs the document here (as `policy sign`
// does; the private key never leaves this machine) and POSTs the JWS to a team server's `/policy`, which takes it
// only when it verifies with the team's public key and its version is above the newest published.
import { signDocumentFile } from './policy-keys.ts';
import { UsageError, stringOption, type Command } from '../command.ts';

const TIMEOUT_MS = 30_000;

/** `URL/policy`, unless the URL names `/policy` already. */
export function publishUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--to takes the team server's URL, such as https://team.example.com; got "${text}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`--to must be an http(s) URL, not ${url.protocol}`);
  }
  if (!url.pathname.endsWith('/policy')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/policy`;
  return url;
}

export const policyPublishCommand: Command = {
  path: ['policy', 'publish'],
  summary: "Sign a team policy document and publish it to the team server's feed.",
  usage: 'switchboard policy publish FILE --key PRIVATE_KEY_FILE --to URL',
  options: { key: { type: 'string' }, to: { type: 'string' } },
  allowPositionals: true,
  async run(args, global, io) {
    if (args.positionals.length !== 1) throw new UsageError(`expected one document file; usage: ${this.usage}`);
    const keyFile = stringOption(args, 'key');
    const to = stringOption(args, 'to');
    if (keyFile === undefined) throw new UsageError('publish needs --key PRIVATE_KEY_FILE (from policy keygen)');
    if (to === undefined) throw new UsageError("publish needs --to URL: the team server's address");
    const url = publishUrl(to);
    const signed = await signDocumentFile(args.positionals[0]!, keyFile);
    if (!signed.ok) {
      io.err(`policy publish: ${signed.error}\n`);
      return 1;
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/jose' },
        body: signed.jws,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      io.err(`policy publish: ${url.href} did not answer: ${(error as Error).message}\n`);
      return 1;
    }
    const text = (await response.text()).slice(0, 2_000);
    let answer: { version?: unknown; error?: unknown; reason?: unknown } = {};
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      // Not the team server's JSON: shown as it came.
    }
    if (response.status === 201 && typeof answer.version === 'number') {
      io.out(
        global.json ? JSON.stringify({ version: answer.version }) + '\n' : `published version ${answer.version}\n`,
      );
      return 0;
    }
    const why =
      typeof answer.error === 'string' ? `${answer.error} (${String(answer.reason)})` : text || response.statusText;
    io.err(`policy publish: ${url.href} refused the document with ${response.status}: ${why}\n`);
    return 1;
  },
};
