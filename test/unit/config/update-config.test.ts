import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { updateConfig } from '../../../main/config/update-config.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const handWritten = `{
  "$schema": "https://example.com/switchboard.schema.json",
  "gateway": { "port": 9000 },
  "servers": {
    "fs": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"], "enabled": false }
  }
}
`;

test('adding a server keeps what the person wrote and writes no defaults', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  await writeFile(path, handWritten);
  const result = await updateConfig(dir, (draft) => ({
    ...draft,
    servers: { ...draft.servers, web: { url: 'https://mcp.example.com/mcp' } },
  }));
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(Object.keys(result.config.servers), ['fs', 'web']);
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), {
    $schema: 'https://example.com/switchboard.schema.json',
    gateway: { port: 9000 },
    servers: {
      fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], enabled: false },
      web: { url: 'https://mcp.example.com/mcp' },
    },
  });
});

test('the edit may change the draft in place', async (t) => {
  const dir = await makeTempDir(t);
  await writeFile(join(dir, 'config.json'), handWritten);
  const result = await updateConfig(dir, (draft) => {
    const fs = draft.servers?.['fs'];
    if (fs !== undefined) fs.enabled = true;
    return draft;
  });
  assert.ok(result.ok);
  assert.equal(result.config.servers['fs']?.enabled, true);
});

test('with no config.json yet, the edit starts from an empty config', async (t) => {
  const dir = await makeTempDir(t);
  const result = await updateConfig(join(dir, 'home'), (draft) => ({ ...draft, servers: { a: { command: 'x' } } }));
  assert.ok(result.ok);
  assert.equal(
    await readFile(join(dir, 'home', 'config.json'), 'utf8'),
    '{\n  "servers": {\n    "a": {\n      "command": "x"\n    }\n  }\n}\n',
  );
});

test('an edit that returns an Error changes nothing and its message comes back', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  await writeFile(path, handWritten);
  const result = await updateConfig(dir, () => new Error('a server named "fs" already exists; pick another name'));
  assert.deepEqual(result, {
    ok: false,
    problems: [{ path: '', message: 'a server named "fs" already exists; pick another name' }],
  });
  assert.equal(await readFile(path, 'utf8'), handWritten);
});

test('an edit that makes the config invalid is refused with its problems', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  await writeFile(path, handWritten);
  const result = await updateConfig(dir, (draft) => ({
    ...draft,
    servers: { ...draft.servers, 'No Good': { command: 'x' } },
  }));
  assert.ok(!result.ok);
  assert.equal(result.problems[0]?.path, 'servers["No Good"]');
  assert.equal(await readFile(path, 'utf8'), handWritten);
  assert.deepEqual(await readdir(dir), ['config.json']);
});

test('a config.json that is already invalid is not edited', async (t) => {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  await writeFile(path, '{"servers": {},}');
  let called = false;
  const result = await updateConfig(dir, (draft) => {
    called = true;
    return draft;
  });
  assert.ok(!result.ok);
  assert.equal(called, false);
  assert.match(result.problems[0]?.message ?? '', /not valid JSON at line 1, column 15: a trailing comma/);
  assert.equal(await readFile(path, 'utf8'), '{"servers": {},}');
});
