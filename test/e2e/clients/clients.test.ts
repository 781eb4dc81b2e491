// One-click connect, end to end (security test T72): for every client, a scratch HOME with a realistic config file
// (other servers, comments, odd formatting), `switchboard connect` with the real binary, the file compared byte for
// byte outside our entry, `doctor` running the written entry as the client would against a real `serve` and
// listing its tools, `disconnect` giving the file back as it was and revoking the token. Then URL entries, import
// with secrets moving to the vault, and broken, read-only and missing files left alone. One serve for the file.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLIENT_IDS, type ClientId } from '../../../main/clients/client-registry.ts';
import { writeConfig } from '../../../main/config/write-config.ts';
import { TokenStore } from '../../../main/gateway/auth/token-store.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { KeychainVault } from '../../../main/vault/keychain-vault.ts';
import { FIXTURE, NODE, gatewayFixtureServer } from '../../helpers/gateway-harness.ts';
import { skipWithoutSecretService, startSecretService, type SecretService } from '../../helpers/secret-service.ts';
import { startServe, type ServeProcess } from '../cli/serve-process.ts';
import { runCliInProcess } from '../gateway/support.ts';

// The bridge reads each client's token from a real keychain: a private gnome-keyring for this file.
const skip = skipWithoutSecretService();
let keychain: SecretService | undefined;
let root: string;
let dataDir: string;
let home: string;
let serve: ServeProcess | undefined;

/** The environment of a person's shell in the scratch home; no client override variables leak in from ours. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    SWITCHBOARD_HOME: '',
    SWITCHBOARD_TOKEN: '',
    DBUS_SESSION_BUS_ADDRESS: process.env['DBUS_SESSION_BUS_ADDRESS'],
    CODEX_HOME: '',
    CLAUDE_CONFIG_DIR: '',
    CLINE_MCP_SETTINGS_PATH: '',
    CLINE_DATA_DIR: '',
    CLINE_DIR: '',
    PATH: dirname(NODE),
    ...extra,
  };
}

/** The CLI in this process (the bridge that doctor starts is a real child process, as a client would start it). */
function sb(args: readonly string[], extra: NodeJS.ProcessEnv = {}) {
  return runCliInProcess(['--data-dir', dataDir, ...args], env(extra));
}

/** Each client's file in the scratch home, with what a person would already have there. */
const FILES: Record<ClientId, { path: string; text: string }> = {
  'claude-desktop': {
    path: '.config/Claude/claude_desktop_config.json',
    text: '{\n  "mcpServers": {\n    "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] }\n  },\n  "globalShortcut": "Ctrl+Space"\n}\n',
  },
  'claude-code': {
    path: '.claude.json',
    text: '{\n  "numStartups": 12,\n  "projects": {\n    "/src/app": { "mcpServers": {}, "allowedTools": [] }\n  },\n  "mcpServers": {\n    "sentry": { "type": "http", "url": "https://mcp.sentry.dev/mcp" }\n  }\n}\n',
  },
  cursor: {
    path: '.cursor/mcp.json',
    text: '{\n    // servers for every workspace\n    "mcpServers": {\n        "api": { "command": "API_CMD", "args": ["API_ARGS", "echo"], "env": { "API_TOKEN": "ghp_importedSecretValue1234567890abcd", "MODE": "fast" } },\n    },\n}\n',
  },
  vscode: {
    path: '.config/Code/User/mcp.json',
    text: '{\n\t"inputs": [\n\t\t{ "type": "promptString", "id": "gh", "password": true }\n\t],\n\t"servers": {\n\t\t// GitHub\n\t\t"github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/", "headers": { "Authorization": "Bearer ${input:gh}" } }\n\t}\n}',
  },
  windsurf: {
    path: '.codeium/windsurf/mcp_config.json',
    text: '{"mcpServers":{"fetch":{"command":"uvx","args":["mcp-server-fetch"]}}}',
  },
  zed: {
    path: '.config/zed/settings.json',
    text: '// Zed settings\n{\n  "theme": "One Dark",\n  "context_servers": {\n    "postgres": { "source": "extension", "settings": {} },\n  },\n  "vim_mode": true,\n}\n',
  },
  codex: {
    path: '.codex/config.toml',
    text: '# Codex\nmodel = "o3"\napproval_policy = "on-request"\n\n[mcp_servers.docs]\nurl = "https://docs.example.com/mcp"  # team docs\nbearer_token_env_var = "DOCS_TOKEN"\n\n[profiles.fast]\nmodel = "o4-mini"\n',
  },
  gemini: {
    path: '.gemini/settings.json',
    text: '{\r\n  "theme": "GitHub",\r\n  "mcpServers": {\r\n    "fs": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "."], "timeout": 30000 }\r\n  }\r\n}\r\n',
  },
  cline: {
    path: '.cline/data/settings/cline_mcp_settings.json',
    text: '{\n  "mcpServers": {\n    "time": { "command": "uvx", "args": ["mcp-server-time"], "disabled": false, "autoApprove": [] }\n  }\n}',
  },
};

const fileOf = (id: ClientId): string => join(home, FILES[id].path);

async function writeFixture(id: ClientId): Promise<string> {
  const text = FILES[id].text.replace('API_CMD', NODE).replace('API_ARGS', FIXTURE);
  await mkdir(dirname(fileOf(id)), { recursive: true });
  await writeFile(fileOf(id), text);
  return text;
}

function activeToken(id: string): boolean {
  return new TokenStore(dataDirPaths(dataDir).tokens).list().some((t) => t.name === id && t.revokedAt === null);
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'switchboard-clients-'));
  dataDir = join(root, 'data');
  home = join(root, 'home');
  await mkdir(dataDir, { recursive: true });
  if (skip) return;
  const written = await writeConfig(dataDirPaths(dataDir).config, {
    servers: { fx: gatewayFixtureServer('tools') },
  });
  assert.ok(written.ok);
  keychain = await startSecretService();
  process.env['DBUS_SESSION_BUS_ADDRESS'] = keychain.address;
  serve = await startServe(dataDir, { DBUS_SESSION_BUS_ADDRESS: keychain.address });
});

after(async () => {
  if (serve !== undefined) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  await keychain?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('every client: connect, doctor through the gateway, disconnect', () => {
  for (const id of CLIENT_IDS) {
    test(id, { skip }, async () => {
      const original = await writeFixture(id);
      const connected = await sb(['connect', id]);
      assert.equal(connected.code, 0, connected.err);
      const text = await readFile(fileOf(id), 'utf8');
      let prefix = 0;
      while (prefix < original.length && original[prefix] === text[prefix]) prefix += 1;
      assert.ok(text.endsWith(original.slice(prefix)), 'only our entry was inserted; every other byte is as it was');
      assert.match(text.slice(prefix, text.length - (original.length - prefix)), /switchboard/);
      assert.equal(/sbt_/.test(text), false, 'the file holds no token');
      assert.equal(await readFile(`${fileOf(id)}.switchboard-bak`, 'utf8'), original, 'backup beside the file');
      assert.ok(activeToken(id));

      const again = await sb(['connect', id]);
      assert.equal(again.code, 0, again.err);
      assert.match(again.out, /already has our entry/, 'reconnect is idempotent');
      assert.equal(await readFile(fileOf(id), 'utf8'), text);

      const listed = await sb(['clients', '--json']);
      const status = (JSON.parse(listed.out) as { id: string; state: string }[]).find((c) => c.id === id);
      assert.equal(status?.state, 'connected');

      const doctor = await sb(['doctor', id, '--json']);
      const report = JSON.parse(doctor.out) as { ok: boolean; tools?: string[]; checks: unknown[] };
      assert.equal(doctor.code, 0, JSON.stringify(report.checks));
      assert.ok(
        (report.tools ?? []).some((name) => name.startsWith('fx__')),
        `tools: ${report.tools}`,
      );

      const disconnected = await sb(['disconnect', id]);
      assert.equal(disconnected.code, 0, disconnected.err);
      assert.equal(await readFile(fileOf(id), 'utf8'), original, 'disconnect gives the file back byte for byte');
      assert.equal(activeToken(id), false, 'the token is revoked');
    });
  }
});

describe('URL entries refer to the token, never hold it', () => {
  test('cursor --url: ${env:SWITCHBOARD_TOKEN}; doctor sends it from the environment', { skip }, async () => {
    await writeFixture('cursor');
    const connected = await sb(['connect', 'cursor', '--url']);
    assert.equal(connected.code, 0, connected.err);
    const token = connected.out.split('\n').find((line) => line.startsWith('sbt_'))!;
    const text = await readFile(fileOf('cursor'), 'utf8');
    assert.equal(text.includes(token), false);
    assert.match(text, /"Authorization": "Bearer \$\{env:SWITCHBOARD_TOKEN\}"/);
    assert.match(text, new RegExp(`"url": "${serve!.url}"`));
    const without = await sb(['doctor', 'cursor']);
    assert.equal(without.code, 1);
    assert.match(without.out, /SWITCHBOARD_TOKEN is not set/);
    const doctor = await sb(['doctor', 'cursor'], { SWITCHBOARD_TOKEN: token });
    assert.equal(doctor.code, 0, doctor.out);
    assert.match(doctor.out, /connected and listed \d+ tools/);
    assert.equal((await sb(['disconnect', 'cursor'])).code, 0);
  });

  test('vscode --url: an inputs prompt; codex --url: bearer_token_env_var; zed refuses', { skip }, async () => {
    await writeFixture('vscode');
    const vscode = await sb(['connect', 'vscode', '--url']);
    assert.equal(vscode.code, 0, vscode.err);
    const text = await readFile(fileOf('vscode'), 'utf8');
    assert.match(text, /"id": "switchboard-token"/);
    assert.match(text, /\$\{input:switchboard-token\}/);
    assert.equal((await sb(['doctor', 'vscode'])).code, 0);
    assert.equal((await sb(['disconnect', 'vscode'])).code, 0);
    assert.equal(await readFile(fileOf('vscode'), 'utf8'), await writeFixture('vscode'));

    await writeFixture('codex');
    const codex = await sb(['connect', 'codex', '--url']);
    assert.equal(codex.code, 0, codex.err);
    assert.match(await readFile(fileOf('codex'), 'utf8'), /bearer_token_env_var = "SWITCHBOARD_TOKEN"/);
    assert.equal((await sb(['disconnect', 'codex'])).code, 0);

    await writeFixture('zed');
    const zed = await sb(['connect', 'zed', '--url']);
    assert.equal(zed.code, 1);
    assert.match(zed.err, /literally/);
  });
});

describe('import', () => {
  test(
    "a client's servers move into config.json, literal secrets into the vault, and are replaced by ours",
    { skip },
    async () => {
      const original = await writeFixture('cursor');
      const preview = await sb(['import', 'cursor']);
      assert.equal(preview.code, 0, preview.err);
      assert.match(preview.out, /api → api/);
      assert.match(preview.out, /env\.API_TOKEN → \$\{secret:api\.API_TOKEN\} \(moved to the vault\)/);
      assert.equal(preview.out.includes('ghp_'), false, 'the secret is never shown');
      assert.equal(JSON.parse(await readFile(dataDirPaths(dataDir).config, 'utf8')).servers.api, undefined);

      const applied = await sb(['import', 'cursor', '--yes', '--replace']);
      assert.equal(applied.code, 0, applied.err);
      const config = await readFile(dataDirPaths(dataDir).config, 'utf8');
      assert.equal(config.includes('ghp_'), false);
      const api = JSON.parse(config).servers.api;
      assert.deepEqual(api.env, { API_TOKEN: '${secret:api.API_TOKEN}', MODE: 'fast' });
      assert.deepEqual(await new KeychainVault().get('api.API_TOKEN'), {
        ok: true,
        value: 'ghp_importedSecretValue1234567890abcd',
      });

      const replaced = await readFile(fileOf('cursor'), 'utf8');
      assert.deepEqual(
        Object.keys(JSON.parse(replaced.replace(/\/\/.*$/gm, '').replace(/,(\s*[}\]])/g, '$1')).mcpServers),
        ['switchboard'],
      );
      assert.equal(await readFile(`${fileOf('cursor')}.switchboard-bak`, 'utf8'), original);
      // T77: an imported command waits for approval; approving exactly what is shown lets it run.
      assert.match(applied.out, /each command runs once you approve it here: switchboard server approve api/);
      let waiting = await sb(['status', '--json']);
      for (let i = 0; i < 40 && !waiting.out.includes('approval-required'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        waiting = await sb(['status', '--json']);
      }
      assert.match(waiting.out, /approval-required/, 'the gateway lists it, waiting');
      const shown = await sb(['server', 'approve', 'api']);
      assert.ok(
        shown.out.includes(`command  ${JSON.stringify(NODE)}\n  arg 1    ${JSON.stringify(FIXTURE)}`),
        shown.out,
      );
      assert.match(shown.out, /env +API_TOKEN, MODE/);
      const approve = /switchboard server approve api --fingerprint (sha256:[0-9a-f]{64})/.exec(shown.out);
      assert.ok(approve, shown.out);
      assert.equal((await sb(['server', 'approve', 'api', '--fingerprint', approve[1]!])).code, 0);
      // The imported server now runs behind the gateway: the client reaches it through our entry.
      const doctor = await sb(['doctor', 'cursor', '--json']);
      const report = JSON.parse(doctor.out) as { tools?: string[] };
      for (let i = 0; i < 20 && !(report.tools ?? []).some((n) => n.startsWith('api__')); i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        Object.assign(report, JSON.parse((await sb(['doctor', 'cursor', '--json'])).out));
      }
      assert.ok(
        (report.tools ?? []).some((n) => n.startsWith('api__')),
        `tools: ${report.tools}; ${(await sb(['status'])).out}`,
      );
      assert.equal((await sb(['disconnect', 'cursor'])).code, 0);
    },
  );
});

describe('files that are not ours to change', () => {
  test('a broken file is refused naming line and column, and left as it was', { skip }, async () => {
    const broken = '{\n  "context_servers": {\n    "a": { "command": "a" }\n    "b": {}\n  }\n}\n';
    await mkdir(dirname(fileOf('zed')), { recursive: true });
    await writeFile(fileOf('zed'), broken);
    const run = await sb(['connect', 'zed']);
    assert.equal(run.code, 1);
    assert.match(run.err, /settings\.json:4:5: not valid JSON: comma expected; the file was left unchanged/);
    assert.equal(await readFile(fileOf('zed'), 'utf8'), broken);
    assert.equal(activeToken('zed'), false, 'no token made for a file that cannot take the entry');
  });

  test('a read-only file is refused and left as it was', { skip }, async () => {
    const original = await writeFixture('gemini');
    await chmod(fileOf('gemini'), 0o444);
    const run = await sb(['connect', 'gemini']);
    assert.equal(run.code, 1);
    assert.match(run.err, /is read-only; make it writable/);
    assert.equal(await readFile(fileOf('gemini'), 'utf8'), original);
    assert.equal((await stat(fileOf('gemini'))).mode & 0o777, 0o444);
    await chmod(fileOf('gemini'), 0o644);
  });

  test('a client that is not installed: a clear error, no folder made; --force makes it', { skip }, async () => {
    await rm(join(home, '.codeium'), { recursive: true, force: true });
    const run = await sb(['connect', 'windsurf']);
    assert.equal(run.code, 1);
    assert.match(run.err, /Windsurf does not look installed here .*pass --force/);
    await assert.rejects(stat(join(home, '.codeium')));
    const listed = JSON.parse((await sb(['clients', '--json'])).out) as { id: string; state: string }[];
    assert.equal(listed.find((c) => c.id === 'windsurf')?.state, 'not-installed');
    const forced = await sb(['connect', 'windsurf', '--force']);
    assert.equal(forced.code, 0, forced.err);
    assert.equal((await sb(['disconnect', 'windsurf'])).code, 0);
    await assert.rejects(stat(fileOf('windsurf')), 'a file we created goes again on disconnect');
  });

  test('project scope: the file goes in the project; a missing project folder is refused', { skip }, async () => {
    const project = join(root, 'project');
    const missing = await sb(['connect', 'claude-code', '--scope', 'project', '--project', project]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /the project folder .* does not exist/);
    await mkdir(project);
    const made = await sb(['connect', 'claude-code', '--scope', 'project', '--project', project]);
    assert.equal(made.code, 0, made.err);
    assert.ok(JSON.parse(await readFile(join(project, '.mcp.json'), 'utf8')).mcpServers.switchboard);
    const doctor = await sb(['doctor', 'claude-code', '--scope', 'project', '--project', project]);
    assert.equal(doctor.code, 0, doctor.out);
    assert.equal((await sb(['disconnect', 'claude-code', '--project', project])).code, 0);
    await assert.rejects(stat(join(project, '.mcp.json')));
  });

  test('stale: an entry someone edited is reported, and connect repairs it', { skip }, async () => {
    await writeFixture('cline');
    assert.equal((await sb(['connect', 'cline'])).code, 0);
    const text = await readFile(fileOf('cline'), 'utf8');
    await writeFile(fileOf('cline'), text.replace('"--client",', '"--client", "--verbose",'));
    const listed = JSON.parse((await sb(['clients', '--json'])).out) as {
      id: string;
      state: string;
      reason?: string;
    }[];
    const cline = listed.find((c) => c.id === 'cline');
    assert.equal(cline?.state, 'stale');
    assert.match(cline?.reason ?? '', /args differs/);
    assert.equal((await sb(['connect', 'cline'])).code, 0);
    const fixed = JSON.parse((await sb(['clients', '--json'])).out) as { id: string; state: string }[];
    assert.equal(fixed.find((c) => c.id === 'cline')?.state, 'connected');
    assert.equal((await sb(['disconnect', 'cline'])).code, 0);
  });
});
