import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffServers } from '../../../main/config/config-diff.ts';
import { parseConfig } from '../../../main/config/validate-config.ts';
import type { ServerConfig } from '../../../main/config/schema.ts';

function servers(raw: Record<string, unknown>): Record<string, ServerConfig> {
  const result = parseConfig(JSON.stringify({ servers: raw }));
  assert.ok(result.ok, JSON.stringify(result));
  return result.config.servers;
}

test('sorts servers into added, removed, changed and unchanged', () => {
  const prev = servers({
    keep: { command: 'a' },
    gone: { command: 'b' },
    args: { command: 'c', args: ['1'] },
    toggle: { url: 'https://x.test/mcp' },
    nested: { command: 'd' },
  });
  const next = servers({
    keep: { command: 'a' },
    args: { command: 'c', args: ['2'] },
    toggle: { url: 'https://x.test/mcp', enabled: false },
    nested: { command: 'd', restart: { maxCrashes: 9 } },
    zeta: { command: 'z' },
    alpha: { url: 'https://a.test/mcp' },
  });
  assert.deepEqual(diffServers(prev, next), {
    added: ['alpha', 'zeta'],
    removed: ['gone'],
    changed: ['args', 'nested', 'toggle'],
    unchanged: ['keep'],
  });
});

test('writing a default explicitly is not a change', () => {
  const prev = servers({ a: { command: 'x' } });
  const next = servers({ a: { command: 'x', enabled: true, transport: 'stdio', args: [] } });
  assert.deepEqual(diffServers(prev, next), { added: [], removed: [], changed: [], unchanged: ['a'] });
});

test('switching a server between stdio and remote is a change', () => {
  const diff = diffServers(servers({ a: { command: 'x' } }), servers({ a: { url: 'http://127.0.0.1:1/mcp' } }));
  assert.deepEqual(diff.changed, ['a']);
});

test('empty maps give empty lists', () => {
  assert.deepEqual(diffServers({}, {}), { added: [], removed: [], changed: [], unchanged: [] });
});
