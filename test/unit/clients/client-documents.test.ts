// The JSONC and TOML adapters on realistic files (other servers, comments, trailing commas, tabs, CRLF, a BOM, no
// final newline): adding our entry changes nothing outside it, removing it gives the file back byte for byte, and
// a broken file is refused naming its line and column.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyServersEdit, serversIn } from '../../../main/clients/client-file.ts';
import type { ClientLocation } from '../../../main/clients/client-registry.ts';
import { ConfigFileError } from '../../../main/clients/config-file-error.ts';
import { setJsonArrayItem } from '../../../main/clients/json-document.ts';

const ENTRY = { command: '/opt/node', args: ['/opt/sb.js', 'bridge', '--client', 'x'], env: {} };

function json(key = ['mcpServers']): ClientLocation {
  return { client: 'cursor', scope: 'user', file: '/home/me/.cursor/mcp.json', serversKey: key, format: 'json' };
}
const toml: ClientLocation = {
  client: 'codex',
  scope: 'user',
  file: '/home/me/.codex/config.toml',
  serversKey: ['mcp_servers'],
  format: 'toml',
};

/**
 * Connect then disconnect. Connecting must be one contiguous insertion into the original text (every byte outside
 * our entry as it was); disconnecting must give the original back byte for byte (or `back` when given).
 */
function roundTrip(location: ClientLocation, original: string, back = original): string {
  const connected = applyServersEdit(location, original, { entries: { switchboard: ENTRY } });
  assert.deepEqual(JSON.parse(JSON.stringify(serversIn(location, connected)['switchboard'])), ENTRY);
  let prefix = 0;
  while (prefix < original.length && original[prefix] === connected[prefix]) prefix += 1;
  const suffix = original.slice(prefix);
  assert.ok(connected.endsWith(suffix), 'connect only inserts: the rest of the file follows our entry unchanged');
  const inserted = connected.slice(prefix, connected.length - suffix.length);
  assert.match(inserted, /"switchboard"|\[mcp_servers\.switchboard\]/);
  const others = { ...serversIn(location, original) };
  const after = { ...serversIn(location, connected) };
  delete after['switchboard'];
  assert.deepEqual(JSON.parse(JSON.stringify(after)), JSON.parse(JSON.stringify(others)), 'other servers intact');
  assert.equal(applyServersEdit(location, connected, { entries: { switchboard: null } }), back);
  return connected;
}

describe('JSON and JSONC files', () => {
  const cases: Record<string, string> = {
    'comments and trailing commas (VS Code, Zed, Gemini)':
      '{\n  // global servers\n  "mcpServers": {\n    /* GitHub */\n    "github": { "command": "npx", "args": ["-y", "@mcp/github"] }, // pinned\n  },\n  "theme": "dark",\n}\n',
    'tabs and no final newline': '{\n\t"mcpServers": {\n\t\t"fs": {\n\t\t\t"command": "npx"\n\t\t}\n\t}\n}',
    'CRLF and a BOM': '\uFEFF{\r\n    "mcpServers": {\r\n        "a": { "command": "a" }\r\n    }\r\n}\r\n',
    'no servers key yet, other state kept (Claude Code)':
      '{\n  "numStartups": 41,\n  "projects": { "/src/app": { "allowedTools": [] } }\n}\n',
    'an empty servers object': '{ "mcpServers": {} }\n',
    'our entry is the first key among several':
      '{\n  "mcpServers": {\n    "a": {"command": "a"},\n    "b": {"command": "b"}\n  }\n}\n',
  };
  for (const [name, original] of Object.entries(cases)) {
    test(name, () => {
      // A container we created stays, empty, after a minimal removal; disconnect puts the original bytes back
      // from the backup when nothing else changed the file (client-connections.test.ts).
      const back = name.includes('Claude Code') ? original.replace(' }\n}', ' },\n  "mcpServers": {}\n}') : original;
      roundTrip(json(), original, back);
    });
  }

  test('the inserted entry follows the file: tabs, CRLF', () => {
    const tabs = applyServersEdit(json(), cases['tabs and no final newline']!, { entries: { switchboard: ENTRY } });
    assert.match(tabs, /\n\t\t"switchboard": \{\n\t\t\t"command"/);
    const crlf = applyServersEdit(json(), cases['CRLF and a BOM']!, { entries: { switchboard: ENTRY } });
    assert.ok(crlf.startsWith('\uFEFF'));
    assert.equal(crlf.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF added to a CRLF file');
  });

  test('a missing or empty file gets a new document', () => {
    const made = applyServersEdit(json(['servers']), null, { entries: { switchboard: ENTRY } });
    assert.deepEqual(JSON.parse(made), { servers: { switchboard: ENTRY } });
    assert.ok(made.endsWith('\n'));
  });

  test("VS Code's inputs item is added and removed with the entry", () => {
    const original = '{\n  "inputs": [{ "id": "gh", "type": "promptString" }],\n  "servers": {}\n}\n';
    const item = { type: 'promptString', id: 'switchboard-token', password: true };
    const added = setJsonArrayItem(original, 'f', 'inputs', 'switchboard-token', item);
    assert.equal(JSON.parse(added).inputs.length, 2);
    assert.equal(setJsonArrayItem(added, 'f', 'inputs', 'switchboard-token', null), original);
  });

  test('a broken file is refused with its line and column', () => {
    const broken = '{\n  "mcpServers": {\n    "a": { "command": "a" }\n    "b": {}\n  }\n}\n';
    assert.throws(
      () => applyServersEdit(json(), broken, { entries: { switchboard: ENTRY } }),
      (error: unknown) =>
        error instanceof ConfigFileError &&
        /mcp\.json:4:5: not valid JSON: comma expected; the file was left unchanged/.test(error.message),
    );
  });

  test('a servers key that is not an object is refused', () => {
    assert.throws(() => serversIn(json(), '{ "mcpServers": [] }'), /"mcpServers" is not an object/);
  });
});

describe("Codex's config.toml", () => {
  const original = [
    '# Codex settings',
    'model = "o3"',
    '',
    '[mcp_servers.docs]',
    'url = "https://docs.example.com/mcp"   # team docs',
    'bearer_token_env_var = "DOCS_TOKEN"',
    '',
    '# the repository tools',
    '[mcp_servers.repo]',
    'command = "npx"',
    'args = ["-y", "@mcp/repo"]',
    '',
    '[mcp_servers.repo.env]',
    'LOG = "debug"',
    '',
    '[profiles.fast]',
    "model = 'o4-mini'",
    '',
  ].join('\n');

  test('connect appends our table; disconnect restores the bytes', () => {
    const connected = roundTrip(toml, original);
    assert.ok(connected.startsWith(original), 'everything before our table is untouched');
    assert.match(connected.slice(original.length), /^\n\[mcp_servers\.switchboard\]\ncommand = "\/opt\/node"\n/);
  });

  test('an existing table of ours is replaced in place, sub-tables included, comments of the next kept', () => {
    const withOurs = original.replace(
      '# the repository tools',
      '[mcp_servers.switchboard]\ncommand = "/old/node"\nargs = ["bridge", "--client", "codex"]\n\n[mcp_servers.switchboard.env]\nA = "1"\n\n# the repository tools',
    );
    const replaced = applyServersEdit(toml, withOurs, { entries: { switchboard: ENTRY } });
    assert.ok(replaced.includes('# the repository tools\n[mcp_servers.repo]'));
    assert.equal(replaced.includes('/old/node'), false);
    assert.equal(replaced.includes('[mcp_servers.switchboard.env]'), false);
    const removed = applyServersEdit(toml, replaced, { entries: { switchboard: null } });
    assert.equal(removed, original);
  });

  test('CRLF and no final newline', () => {
    const crlf = 'model = "o3"\r\n\r\n[mcp_servers.a]\r\ncommand = "a"';
    const connected = applyServersEdit(toml, crlf, { entries: { switchboard: ENTRY } });
    assert.equal(connected.replace(/\r\n/g, '').includes('\n'), false);
    assert.ok(connected.startsWith(crlf));
  });

  test('a broken file is refused with its line and column', () => {
    const broken = 'model = "o3"\n[mcp_servers.a]\ncommand = \n';
    assert.throws(
      () => applyServersEdit(toml, broken, { entries: { switchboard: ENTRY } }),
      (error: unknown) => error instanceof ConfigFileError && /config\.toml:3:\d+: not valid TOML/.test(error.message),
    );
  });

  test('our entry written inline is refused rather than rewritten', () => {
    const inline = '[mcp_servers]\nswitchboard = { command = "x" }\n';
    assert.throws(() => applyServersEdit(toml, inline, { entries: { switchboard: ENTRY } }), /written inline/);
  });
});
