// `switchboard token create|list|revoke`: client tokens for the gateway. A token is printed once, at creation;
// only its salted digest is kept.
import { TokenStore } from '../../gateway/auth/token-store.ts';
import { dataDirPaths, ensureDataDir } from '../../paths/data-dir.ts';
import { UsageError, stringOption, type Command } from '../command.ts';

function oneName(positionals: readonly string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected one client name; usage: ${usage}`);
  return positionals[0]!;
}

export const tokenCreateCommand: Command = {
  path: ['token', 'create'],
  summary: 'Create a client token (printed once).',
  usage: 'switchboard token create NAME [--expires DATE] [--json]',
  options: { expires: { type: 'string' } },
  allowPositionals: true,
  async run(args, global, io) {
    const name = oneName(args.positionals, this.usage);
    const expiresText = stringOption(args, 'expires');
    const expiresAt = expiresText === undefined ? undefined : new Date(expiresText);
    if (expiresAt !== undefined && Number.isNaN(expiresAt.getTime())) {
      throw new UsageError(`--expires takes a date such as 2027-01-31 or 2027-01-31T18:00:00Z, got "${expiresText}"`);
    }
    const dir = await ensureDataDir(global.dataDir);
    if (!dir.ok) {
      io.err(`token create: ${dir.message}\n`);
      return 1;
    }
    const result = await new TokenStore(dataDirPaths(global.dataDir).tokens).create(
      name,
      'client',
      expiresAt === undefined ? {} : { expiresAt },
    );
    if (!result.ok) {
      io.err(`token create: ${result.error}\n`);
      return 1;
    }
    if (global.json) {
      io.out(JSON.stringify({ name, token: result.value.token }) + '\n');
    } else {
      io.out(`${result.value.token}\n`);
      io.err(`token for client "${name}" created; it is shown only now. Send it as: Authorization: Bearer <token>\n`);
    }
    return 0;
  },
};

export const tokenListCommand: Command = {
  path: ['token', 'list'],
  summary: 'List client tokens (names and dates, never the tokens).',
  usage: 'switchboard token list [--json]',
  options: {},
  allowPositionals: false,
  async run(_args, global, io) {
    const tokens = new TokenStore(dataDirPaths(global.dataDir).tokens).list().filter((t) => t.kind === 'client');
    if (global.json) {
      io.out(JSON.stringify(tokens, null, 2) + '\n');
      return 0;
    }
    if (tokens.length === 0) io.out('no client tokens (create one: switchboard token create NAME)\n');
    for (const t of tokens) {
      const expiry = t.expiresAt ? `  expires ${t.expiresAt}` : '';
      io.out(`${t.name.padEnd(24)} created ${t.createdAt}${expiry}${t.revokedAt ? `  revoked ${t.revokedAt}` : ''}\n`);
    }
    return 0;
  },
};

export const tokenRevokeCommand: Command = {
  path: ['token', 'revoke'],
  summary: "Revoke a client's token; a running gateway drops its sessions at once.",
  usage: 'switchboard token revoke NAME',
  options: {},
  allowPositionals: true,
  async run(args, global, io) {
    const name = oneName(args.positionals, this.usage);
    const result = await new TokenStore(dataDirPaths(global.dataDir).tokens).revoke(name);
    if (!result.ok) {
      io.err(`token revoke: ${result.error}\n`);
      return 1;
    }
    io.out(global.json ? JSON.stringify({ revoked: name }) + '\n' : `revoked the token of "${name}"\n`);
    return 0;
  },
};
