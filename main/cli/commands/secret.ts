// `switchboard secret set|list|rm`: values go to the vault (the OS keychain, or the encrypted file vault), and only
// metadata (created, rotated, expires) to config.json. A running gateway sees the metadata change and restarts the
// servers that use the secret, without failing a call.
import { loadConfig } from '../../config/load-config.ts';
import type { Config, VaultBackend } from '../../config/schema.ts';
import { dataDirPaths } from '../../paths/data-dir.ts';
import { describeStanding, expiryStanding } from '../../vault/expiry.ts';
import { openVault, parseVaultBackend } from '../../vault/open-vault.ts';
import { recordSecretRemoved, recordSecretSet, usersOf } from '../../vault/secret-meta.ts';
import { SECRET_NAME_PATTERN, secretsUsedBy } from '../../vault/secret-refs.ts';
import { UsageError, stringOption, type CliIo, type Command, type ParsedCommand } from '../command.ts';
import { readSecretValue } from '../read-secret.ts';

function oneSecretName(positionals: readonly string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected one secret name; usage: ${usage}`);
  const name = positionals[0]!;
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new UsageError(
      `"${name}" is not a valid secret name: use 1-128 characters of A-Z, a-z, 0-9, "_", "." and "-", starting with a letter or "_"`,
    );
  }
  return name;
}

async function currentConfig(dataDir: string, io: CliIo, command: string): Promise<Config | null> {
  const loaded = await loadConfig(dataDirPaths(dataDir).config);
  if (loaded.ok) return loaded.config;
  for (const p of loaded.problems) io.err(`${command}: ${p.path ? `${p.path}: ` : ''}${p.message}\n`);
  return null;
}

function backendOf(args: ParsedCommand, config: Config): VaultBackend {
  const chosen = parseVaultBackend(stringOption(args, 'vault'));
  if (chosen instanceof Error) throw new UsageError(chosen.message);
  return chosen ?? config.vault;
}

function vaultFor(args: ParsedCommand, config: Config, dataDir: string, io: CliIo) {
  return openVault({
    backend: backendOf(args, config),
    dataDir,
    env: io.env,
    prompt: io.stdin?.isTTY
      ? async () => {
          const read = await readSecretValue(io, 'vault passphrase: ');
          return read.ok ? read.value : null;
        }
      : undefined,
  });
}

const VAULT_OPTION = { vault: { type: 'string' } } as const;

export const secretSetCommand: Command = {
  path: ['secret', 'set'],
  summary: 'Store a secret (value from stdin or a hidden prompt); servers using it restart without downtime.',
  usage: 'switchboard secret set NAME [--expires DATE] [--vault keychain|file]   (value on stdin, or typed when asked)',
  options: { expires: { type: 'string' }, ...VAULT_OPTION },
  allowPositionals: true,
  async run(args, global, io) {
    const name = oneSecretName(args.positionals, this.usage);
    const expiresText = stringOption(args, 'expires');
    const expires = expiresText === undefined ? undefined : new Date(expiresText);
    if (expires !== undefined && Number.isNaN(expires.getTime())) {
      throw new UsageError(`--expires takes a date such as 2027-01-31 or 2027-01-31T18:00:00Z, got "${expiresText}"`);
    }
    const config = await currentConfig(global.dataDir, io, 'secret set');
    if (config === null) return 1;
    const vault = vaultFor(args, config, global.dataDir, io);
    const value = await readSecretValue(io, `value for secret "${name}" (not shown): `);
    if (!value.ok) {
      io.err(`secret set: ${value.error}\n`);
      return 1;
    }
    const stored = await vault.set(name, value.value);
    if (!stored.ok) {
      io.err(`secret set: ${stored.error.message}\n`);
      return 1;
    }
    const backend = backendOf(args, config);
    const existed = config.secrets[name] !== undefined;
    const result = await recordSecretSet(global.dataDir, name, {
      backend,
      ...(expires === undefined ? {} : { expires }),
    });
    if (!result.ok) {
      io.err(`secret set: the value is stored in ${vault.label}, but config.json could not be updated:\n`);
      for (const p of result.problems) io.err(`  ${p.path ? `${p.path}: ` : ''}${p.message}\n`);
      return 1;
    }
    const users = usersOf(result.config, name);
    if (global.json) {
      io.out(JSON.stringify({ name, stored: vault.label, rotated: existed, usedBy: users }) + '\n');
    } else {
      const restart =
        users.length === 0 ? '' : `; a running gateway restarts ${users.join(', ')} with it, without dropping calls`;
      io.out(`secret "${name}" ${existed ? 'replaced' : 'stored'} in ${vault.label}${restart}\n`);
    }
    return 0;
  },
};

export const secretListCommand: Command = {
  path: ['secret', 'list'],
  summary: 'List secrets: names, dates, expiry and which servers use them; never values.',
  usage: 'switchboard secret list [--json]',
  options: {},
  allowPositionals: false,
  async run(_args, global, io) {
    const config = await currentConfig(global.dataDir, io, 'secret list');
    if (config === null) return 1;
    const now = Date.now();
    const rows = Object.entries(config.secrets).map(([name, meta]) => ({
      name,
      ...meta,
      expiry: expiryStanding(meta, now),
      usedBy: usersOf(config, name),
    }));
    // A reference to a secret with no metadata is still worth showing: its server will be blocked.
    const known = new Set(rows.map((r) => r.name));
    const unknown = [...new Set(Object.values(config.servers).flatMap(secretsUsedBy))].filter((n) => !known.has(n));
    if (global.json) {
      io.out(JSON.stringify({ vault: config.vault, secrets: rows, referencedButNotSet: unknown }, null, 2) + '\n');
      return 0;
    }
    if (rows.length === 0 && unknown.length === 0) io.out('no secrets (store one: switchboard secret set NAME)\n');
    for (const row of rows) {
      const used = row.usedBy.length === 0 ? 'unused' : `used by ${row.usedBy.join(', ')}`;
      const rotated = row.rotated === undefined ? '' : `  rotated ${row.rotated}`;
      io.out(`${row.name.padEnd(24)} created ${row.created}${rotated}  ${describeStanding(row.expiry)}  ${used}\n`);
    }
    for (const name of unknown) {
      io.out(`${name.padEnd(24)} NOT SET, referenced by ${usersOf(config, name).join(', ')}\n`);
    }
    return 0;
  },
};

export const secretRemoveCommand: Command = {
  path: ['secret', 'rm'],
  summary: 'Delete a secret; refused while a server uses it, unless --force.',
  usage: 'switchboard secret rm NAME [--force] [--vault keychain|file]',
  options: { force: { type: 'boolean' }, ...VAULT_OPTION },
  allowPositionals: true,
  async run(args, global, io) {
    const name = oneSecretName(args.positionals, this.usage);
    const config = await currentConfig(global.dataDir, io, 'secret rm');
    if (config === null) return 1;
    const users = usersOf(config, name);
    if (users.length > 0 && args.values.force !== true) {
      io.err(
        `secret rm: "${name}" is used by ${users.join(', ')}; change ${users.length === 1 ? 'that server' : 'those servers'} first, or add --force (${users.length === 1 ? 'it' : 'they'} will then be blocked)\n`,
      );
      return 1;
    }
    const vault = vaultFor(args, config, global.dataDir, io);
    const removed = await vault.delete(name);
    if (!removed.ok) {
      io.err(`secret rm: ${removed.error.message}\n`);
      return 1;
    }
    const hadMeta = config.secrets[name] !== undefined;
    if (hadMeta) {
      const result = await recordSecretRemoved(global.dataDir, name);
      if (!result.ok) {
        io.err(`secret rm: the value is gone from ${vault.label}, but config.json could not be updated:\n`);
        for (const p of result.problems) io.err(`  ${p.path ? `${p.path}: ` : ''}${p.message}\n`);
        return 1;
      }
    }
    if (!removed.value && !hadMeta) {
      io.err(`secret rm: there is no secret named "${name}"\n`);
      return 1;
    }
    io.out(global.json ? JSON.stringify({ removed: name }) + '\n' : `secret "${name}" removed\n`);
    return 0;
  },
};
