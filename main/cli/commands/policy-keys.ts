// `switchboard policy keygen|sign`: the team's side of team policy. keygen writes an Ed25519 private key as PKCS8
// PEM (mode 0600, never over an existing file) and prints the public key in the form `policy enroll --key` takes;
// sign checks a document against the team policy schema and prints it as a compact JWS (alg EdDSA).
import { readFile, writeFile } from 'node:fs/promises';
import { parseTeamDocument } from '../../team-policy/document-schema.ts';
import { generateTeamKeys, readPrivateKey, signDocument } from '../../team-policy/team-keys.ts';
import { UsageError, stringOption, type Command } from '../command.ts';

export const policyKeygenCommand: Command = {
  path: ['policy', 'keygen'],
  summary: "Make a team's signing key pair: the private key to a file, the public key printed.",
  usage: 'switchboard policy keygen --out PRIVATE_KEY_FILE [--json]',
  options: { out: { type: 'string' } },
  allowPositionals: false,
  async run(args, global, io) {
    const out = stringOption(args, 'out');
    if (out === undefined) throw new UsageError('keygen needs --out FILE, where the private key is written');
    const keys = await generateTeamKeys();
    try {
      await writeFile(out, keys.privatePem, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
      io.err(`policy keygen: ${exists ? `${out} exists; choose another file` : (error as Error).message}\n`);
      return 1;
    }
    if (global.json) {
      io.out(JSON.stringify({ privateKeyFile: out, publicKey: keys.publicKey }) + '\n');
    } else {
      io.out(`${keys.publicKey}\n`);
      io.err(
        `private key written to ${out} (PKCS8 PEM, mode 0600): keep it where only the team's publishers can read it.\n` +
          `machines enroll with: switchboard policy enroll URL --team NAME --key ${keys.publicKey}\n`,
      );
    }
    return 0;
  },
};

/** A document file signed with a key file, checked against the schema first: `policy sign` and `policy publish`. */
export async function signDocumentFile(
  file: string,
  keyFile: string,
): Promise<{ ok: true; jws: string } | { ok: false; error: string }> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return { ok: false, error: `${file}: ${(error as Error).message}` };
  }
  // Caught here rather than by every machine that would refuse it.
  const parsed = parseTeamDocument(json);
  if (!parsed.ok) return { ok: false, error: `${file} is not a valid team policy document: ${parsed.error}` };
  const key = await readPrivateKey(keyFile);
  if (!key.ok) return { ok: false, error: key.error };
  return { ok: true, jws: await signDocument(JSON.stringify(json), key.key, key.publicKey) };
}

export const policySignCommand: Command = {
  path: ['policy', 'sign'],
  summary: 'Sign a team policy document (JSON) and print it as a compact JWS.',
  usage: 'switchboard policy sign FILE --key PRIVATE_KEY_FILE',
  options: { key: { type: 'string' } },
  allowPositionals: true,
  async run(args, _global, io) {
    if (args.positionals.length !== 1) throw new UsageError(`expected one document file; usage: ${this.usage}`);
    const file = args.positionals[0]!;
    const keyFile = stringOption(args, 'key');
    if (keyFile === undefined) throw new UsageError('sign needs --key PRIVATE_KEY_FILE (from policy keygen)');
    const signed = await signDocumentFile(file, keyFile);
    if (!signed.ok) {
      io.err(`policy sign: ${signed.error}\n`);
      return 1;
    }
    io.out(`${signed.jws}\n`);
    return 0;
  },
};
