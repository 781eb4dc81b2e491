import assert from 'node:assert/strict';
import { once } from 'node:events';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { diffServers } from '../../../main/config/config-diff.ts';
import type { ConfigProblem } from '../../../main/config/config-problems.ts';
import { ConfigStore } from '../../../main/config/config-store.ts';
import type { Config } from '../../../main/config/schema.ts';
import { writeConfig } from '../../../main/config/write-config.ts';
import { createLogger } from '../../../main/log/logger.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

/** Long enough for a slow CI machine; an event that never comes fails the test instead of hanging it. */
const EVENT_TIMEOUT_MS = 10_000;

interface Fixture {
  readonly dir: string;
  readonly path: string;
  readonly store: ConfigStore;
  readonly logs: Array<{ level: string; msg: string; path?: string }>;
}

async function makeStore(t: TestContext, initial: unknown): Promise<Fixture> {
  const dir = await makeTempDir(t);
  const path = join(dir, 'config.json');
  if (initial !== undefined) await writeFile(path, `${JSON.stringify(initial, null, 2)}\n`);
  const logs: Fixture['logs'] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line)) });
  const store = new ConfigStore({ path, logger, debounceMs: 20 });
  t.after(() => store.close());
  return { dir, path, store, logs };
}

function nextChange(store: ConfigStore): Promise<[Config, Config]> {
  return once(store, 'change', { signal: AbortSignal.timeout(EVENT_TIMEOUT_MS) }) as Promise<[Config, Config]>;
}

function nextInvalid(store: ConfigStore): Promise<[readonly ConfigProblem[]]> {
  return once(store, 'invalid', { signal: AbortSignal.timeout(EVENT_TIMEOUT_MS) }) as Promise<
    [readonly ConfigProblem[]]
  >;
}

/**
 * Replaces the file in one step, as editors that save atomically do, so the store can never catch it half
 * written (an in-place write passes through an empty file, which is a problem of its own).
 */
async function replaceFile(path: string, text: string): Promise<void> {
  const staging = `${path}.edit`;
  await writeFile(staging, text);
  await rename(staging, path);
}

const base = {
  servers: {
    keep: { command: 'node', args: ['keep.js'] },
    drop: { command: 'node', args: ['drop.js'] },
    edit: { url: 'https://edit.example.com/mcp' },
  },
};

test('load makes a valid file current and reports an invalid one without replacing current', async (t) => {
  const { path, store } = await makeStore(t, base);
  assert.deepEqual(store.current.servers, {}, 'before loading, the defaults');
  const loaded = await store.load();
  assert.ok(loaded.ok);
  assert.deepEqual(Object.keys(store.current.servers), ['keep', 'drop', 'edit']);

  await writeFile(path, '{"servers": 5}');
  const broken = await store.load();
  assert.ok(!broken.ok);
  assert.deepEqual(Object.keys(store.current.servers), ['keep', 'drop', 'edit']);
});

test('a watched edit that adds, removes and changes servers emits the change with both configs', async (t) => {
  const { path, store } = await makeStore(t, base);
  await store.load();
  const before = store.current;
  assert.deepEqual(store.watch(), { ok: true });

  const changed = nextChange(store);
  const written = await writeConfig(path, {
    servers: {
      keep: { command: 'node', args: ['keep.js'] },
      edit: { url: 'https://edit.example.com/mcp', enabled: false },
      fresh: { command: 'npx', args: ['-y', 'fresh'] },
    },
  });
  assert.ok(written.ok);
  const [next, previous] = await changed;
  assert.equal(previous, before);
  assert.equal(store.current, next);
  assert.deepEqual(diffServers(previous.servers, next.servers), {
    added: ['fresh'],
    removed: ['drop'],
    changed: ['edit'],
    unchanged: ['keep'],
  });
});

test('an invalid edit is logged problem by problem and the last good config keeps running', async (t) => {
  const { path, store, logs } = await makeStore(t, base);
  await store.load();
  const good = store.current;
  store.watch();

  const invalid = nextInvalid(store);
  const changes: Config[] = [];
  store.on('change', (next) => changes.push(next));
  await replaceFile(
    path,
    JSON.stringify({
      gateway: { port: 'eighty' },
      servers: { 'Bad Name': { command: 'x' }, keep: { command: '' }, drop: { command: 'node', args: [1] } },
    }),
  );
  const [problems] = await invalid;
  assert.deepEqual(
    problems.map((p) => p.path),
    ['gateway.port', 'servers["Bad Name"]', 'servers.keep.command', 'servers.drop.args[0]'],
  );
  assert.equal(store.current, good, 'the last good config is still current');
  for (const problem of problems) {
    assert.ok(
      logs.some((l) => l.level === 'error' && l.path === problem.path && l.msg.includes(problem.message)),
      `the log has ${problem.path}`,
    );
  }

  // Fixing the file applies it, and the change is measured from the last good config, not the broken one.
  const fixed = nextChange(store);
  await writeConfig(path, { servers: { keep: { command: 'node', args: ['keep.js'] } } });
  const [next, previous] = await fixed;
  assert.equal(previous, good);
  assert.deepEqual(Object.keys(next.servers), ['keep']);
  assert.equal(changes.length, 1, 'the invalid save caused no change event');
});

test('invalid JSON while watched reports line and column and keeps the config', async (t) => {
  const { path, store } = await makeStore(t, base);
  await store.load();
  const good = store.current;
  store.watch();
  const invalid = nextInvalid(store);
  await replaceFile(path, '{\n  "servers": {\n    "a": {"command": "x"}\n    "b": {"command": "y"}\n  }\n}\n');
  const [problems] = await invalid;
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.line, 4);
  assert.equal(problems[0]?.column, 5);
  assert.match(problems[0]?.message ?? '', /^not valid JSON at line 4, column 5: expected ',' or '}'/);
  assert.equal(store.current, good);
});

test('a stray temp file and a save without changes emit nothing; the next real edit does', async (t) => {
  const { dir, path, store } = await makeStore(t, base);
  await store.load();
  store.watch();
  const events: string[] = [];
  store.on('change', () => events.push('change'));
  store.on('invalid', () => events.push('invalid'));

  await writeFile(join(dir, '.config.json.999.000000000000.tmp'), '{"servers": {"half');
  await writeConfig(path, base);
  await writeFile(join(dir, 'gateway.log'), 'a line that is not config\n');

  const changed = nextChange(store);
  await writeConfig(path, { servers: {} });
  const [next] = await changed;
  assert.deepEqual(next.servers, {});
  assert.deepEqual(events, ['change'], 'only the real edit produced an event');
});

test('creating config.json after starting without one applies it', async (t) => {
  const { path, store } = await makeStore(t, undefined);
  const loaded = await store.load();
  assert.ok(loaded.ok);
  store.watch();
  const changed = nextChange(store);
  await writeConfig(path, { servers: { a: { command: 'x' } } });
  const [next, previous] = await changed;
  assert.deepEqual(previous.servers, {});
  assert.deepEqual(Object.keys(next.servers), ['a']);
});

test('after close, edits emit nothing and watch refuses to restart', async (t) => {
  const { path, store } = await makeStore(t, base);
  await store.load();
  store.watch();
  store.close();
  const events: string[] = [];
  store.on('change', () => events.push('change'));
  store.on('invalid', () => events.push('invalid'));
  await writeConfig(path, { servers: {} });
  // A fresh store on the same file sees the edit; the closed one must not have.
  const witness = new ConfigStore({ path, logger: createLogger({ write: () => {} }), debounceMs: 20 });
  t.after(() => witness.close());
  witness.watch();
  const seen = nextChange(witness);
  await writeConfig(path, { servers: { b: { command: 'x' } } });
  await seen;
  assert.deepEqual(events, []);
  const again = store.watch();
  assert.equal(again.ok, false);
});
