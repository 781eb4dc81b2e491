import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatProblem } from '../../../main/config/config-problems.ts';
import { DEFAULT_GATEWAY_PORT, isStdioServer } from '../../../main/config/schema.ts';
import { defaultConfig, parseConfig, validateConfig } from '../../../main/config/validate-config.ts';

describe('parseConfig', () => {
  test('fills in every default for a minimal file', () => {
    const result = parseConfig('{"servers": {"fs": {"command": "npx"}}}');
    assert.ok(result.ok);
    assert.equal(result.config.version, 1);
    assert.equal(result.config.gateway.port, DEFAULT_GATEWAY_PORT);
    assert.equal(result.config.gateway.host, '127.0.0.1');
    assert.equal(result.config.gateway.toolSeparator, '__');
    const fs = result.config.servers['fs'];
    assert.ok(fs && isStdioServer(fs));
    assert.equal(fs.transport, 'stdio');
    assert.deepEqual(fs.args, []);
    assert.deepEqual(fs.env, {});
    assert.equal(fs.enabled, true);
    assert.equal(fs.restart.mode, 'on-failure');
    assert.equal(fs.timeouts.startupMs, 30_000);
    assert.equal(fs.health.restartAfterFailures, 3);
    assert.deepEqual(result.input, { servers: { fs: { command: 'npx' } } }, 'the input keeps only what was written');
  });

  test('tells stdio servers from remote ones', () => {
    const result = parseConfig(
      JSON.stringify({
        servers: {
          local: { command: 'node', args: ['server.js'], env: { TOKEN: 'x' }, cwd: '/srv' },
          web: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer x' } },
          old: { transport: 'sse', url: 'http://127.0.0.1:9000/sse' },
        },
      }),
    );
    assert.ok(result.ok, JSON.stringify(result));
    const { local, web, old } = result.config.servers;
    assert.ok(local && isStdioServer(local));
    assert.deepEqual(local.args, ['server.js']);
    assert.equal(local.cwd, '/srv');
    assert.ok(web && !isStdioServer(web));
    assert.equal(web.transport, 'http');
    assert.equal(web.headers['Authorization'], 'Bearer x');
    assert.ok(old && !isStdioServer(old));
    assert.equal(old.transport, 'sse');
  });

  test('lists every problem in a bad file, each by its path', () => {
    const text = JSON.stringify({
      gateway: { port: 'eighty', toolSeparator: 'ab' },
      servers: {
        'A B': { command: 'x' },
        fs: { command: 'npx', args: ['-y', 'server', 3] },
        web: { url: 'ftp://files.example.com' },
        slow: { command: 'x', restart: { mode: 'sometimes', maxCrashes: 0 } },
      },
    });
    const result = parseConfig(text);
    assert.ok(!result.ok);
    assert.deepEqual(result.problems.map(formatProblem), [
      'gateway.port: must be a number, not "eighty"',
      'gateway.toolSeparator: must contain "_" or "." so it can never occur inside a server name',
      'servers["A B"]: server names must be 1-32 characters of a-z, 0-9 and "-", starting and ending with a letter or digit',
      'servers.fs.args[2]: must be a string, not 3',
      'servers.web.url: must be an http:// or https:// URL',
      'servers.slow.restart.mode: must be one of "never", "on-failure", "always", not "sometimes"',
      'servers.slow.restart.maxCrashes: must be at least 1, not 0',
    ]);
  });

  test('refuses unknown top-level keys', () => {
    const result = parseConfig('{"servers": {}, "sever": {}}');
    assert.ok(!result.ok);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0]?.path, 'sever');
    assert.match(result.problems[0]?.message ?? '', /is not a known setting; did you mean "servers"\?/);
  });

  test('reports invalid JSON with its line and column', () => {
    const result = parseConfig('{\n  "servers": {\n    "fs": {"command": "npx"},\n  }\n}\n');
    assert.ok(!result.ok);
    assert.deepEqual(result.problems, [
      {
        path: '',
        line: 3,
        column: 29,
        message:
          "not valid JSON at line 3, column 29: a trailing comma before '}' is not allowed in JSON; remove this comma",
      },
    ]);
  });

  test('an empty file and a non-object are problems that say what to write', () => {
    const empty = parseConfig('  \n');
    assert.ok(!empty.ok);
    assert.match(empty.problems[0]?.message ?? '', /the file is empty; write \{\}/);
    const array = parseConfig('[]');
    assert.ok(!array.ok);
    assert.match(array.problems[0]?.message ?? '', /must be a JSON object .* not an array/);
  });

  test('isolation: shared unless set, per-client or per-session with instance limits, anything else explained', () => {
    const result = parseConfig(
      JSON.stringify({
        servers: {
          plain: { command: 'x' },
          mine: { command: 'x', isolation: 'per-client', instances: { idleMs: 60_000 } },
          each: { url: 'https://mcp.example.com/mcp', isolation: 'per-session', instances: { max: 4 } },
        },
      }),
    );
    assert.ok(result.ok, JSON.stringify(result));
    const { plain, mine, each } = result.config.servers;
    assert.deepEqual([plain?.isolation, plain?.instances], ['shared', { max: 16, idleMs: 600_000 }]);
    assert.deepEqual([mine?.isolation, mine?.instances], ['per-client', { max: 16, idleMs: 60_000 }]);
    assert.deepEqual([each?.isolation, each?.instances], ['per-session', { max: 4, idleMs: 600_000 }]);

    const bad = parseConfig(
      JSON.stringify({
        servers: {
          a: { command: 'x', isolation: 'isolated' },
          b: { command: 'x', isolation: true, instances: { max: 0, idleMs: 10, spare: 1 } },
        },
      }),
    );
    assert.ok(!bad.ok);
    const meaning =
      'must be "shared" (one upstream for every client), "per-client" (one per client token) or "per-session" (one per client session)';
    assert.deepEqual(bad.problems.map(formatProblem), [
      `servers.a.isolation: ${meaning}, not "isolated"`,
      `servers.b.isolation: ${meaning}, not true`,
      'servers.b.instances.max: must be at least 1, not 0',
      'servers.b.instances.idleMs: must be at least 1000, not 10',
      'servers.b.instances.spare: is not a known setting (settings allowed here: max, idleMs)',
    ]);
  });

  test('protocol of a remote server: auto unless set, either era by name, anything else explained', () => {
    const url = 'https://mcp.example.com/mcp';
    const result = parseConfig(
      JSON.stringify({
        servers: { plain: { url }, old: { url, protocol: '2025-11-25' }, new: { url, protocol: '2026-07-28' } },
      }),
    );
    assert.ok(result.ok, JSON.stringify(result));
    const protocols = Object.values(result.config.servers).map((s) => ('url' in s ? s.protocol : null));
    assert.deepEqual(protocols, ['auto', '2025-11-25', '2026-07-28']);

    const bad = parseConfig(JSON.stringify({ servers: { a: { url, protocol: '2026' } } }));
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems.map(formatProblem), [
      'servers.a.protocol: must be "auto" (initialize, then 2026-07-28 if the server refuses it for that), ' +
        '"2025-11-25" (initialize and sessions only) or "2026-07-28" (server/discover, no sessions), not "2026"',
    ]);
  });

  test('audit.upload: off unless a url is given; the url and token are checked where they are written', () => {
    const plain = parseConfig('{}');
    assert.ok(plain.ok);
    assert.equal(plain.config.audit.upload.url, undefined);
    assert.equal(plain.config.audit.upload.batchSize, 500);
    const good = parseConfig(
      JSON.stringify({ audit: { upload: { url: 'https://audit.example.com/in', token: '${secret:AUDIT_TOKEN}' } } }),
    );
    assert.ok(good.ok, JSON.stringify(good));
    const bad = parseConfig(
      JSON.stringify({ audit: { upload: { url: 'http://audit.example.com/in', token: 'sekrit', batchSize: 0 } } }),
    );
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems.map(formatProblem), [
      'audit.upload.url: http:// is allowed only to this machine (127.0.0.1, ::1, localhost); use https:// for another host',
      'audit.upload.token: must be a secret reference such as "${secret:AUDIT_UPLOAD_TOKEN}"; store the value with `switchboard secret set AUDIT_UPLOAD_TOKEN`',
      'audit.upload.batchSize: must be at least 1, not 0',
    ]);
  });

  test('accepts a byte order mark', () => {
    assert.ok(parseConfig('\uFEFF{}').ok);
  });
});

describe('validateConfig and defaultConfig', () => {
  test('the default config has no servers and the default gateway', () => {
    const config = defaultConfig();
    assert.deepEqual(config.servers, {});
    assert.equal(config.gateway.port, DEFAULT_GATEWAY_PORT);
    assert.notEqual(defaultConfig(), config, 'each call gets its own copy');
  });

  test('validates values that are not text', () => {
    assert.ok(validateConfig({ version: 1 }).ok);
    const result = validateConfig({ version: 2 });
    assert.ok(!result.ok);
    assert.deepEqual(result.problems, [{ path: 'version', message: 'must be 1, not 2' }]);
    assert.ok(!validateConfig(null).ok);
  });
});
