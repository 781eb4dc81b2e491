// The tool catalog against real SDK clients and servers joined in memory, behind a directory the test steers.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { timeoutsSchema } from '../../../../main/config/schema.ts';
import { ToolCatalog } from '../../../../main/gateway/aggregate/tool-catalog.ts';
import type {
  Upstream,
  UpstreamDirectory,
  UpstreamEvents,
} from '../../../../main/gateway/aggregate/upstream-directory.ts';
import { silentLogger } from '../../../../main/log/logger.ts';
import { captureLogger } from '../../supervisor/helpers.ts';
import type { ServerState } from '../../../../main/supervisor/server-state.ts';
import { settlesWithin } from '../../../helpers/settled.ts';

const RUNNING: ServerState = { state: 'running', since: 0, pid: null };
const STARTING: ServerState = { state: 'starting', since: 0, attempt: 1 };
const BACKOFF: ServerState = {
  state: 'backoff',
  retryAt: Date.now() + 60_000,
  attempt: 2,
  lastExit: { code: 1, signal: null, stderrTail: [], at: 0, reason: 'exited with code 1' },
};

/** An upstream MCP server whose tool list (and how it answers tools/list) the test controls. */
class FakeUpstream {
  tools: Tool[];
  /** Tools per page; 0 lists everything on one page. */
  pageSize = 0;
  /** Set to make tools/list hang until released, or fail. */
  gate: Promise<void> | null = null;
  fail: string | null = null;
  listCalls = 0;
  readonly server: Server;
  readonly client: Client;

  private constructor(tools: Tool[]) {
    this.tools = tools;
    this.server = new Server({ name: 'fake', version: '1' }, { capabilities: { tools: { listChanged: true } } });
    this.server.setRequestHandler(ListToolsRequestSchema, async (request) => {
      this.listCalls += 1;
      if (this.gate) await this.gate;
      if (this.fail) throw new Error(this.fail);
      if (this.pageSize === 0) return { tools: this.tools };
      const start = Number(request.params?.cursor ?? 0);
      const next = start + this.pageSize;
      return {
        tools: this.tools.slice(start, next),
        ...(next < this.tools.length ? { nextCursor: String(next) } : {}),
      };
    });
    this.client = new Client({ name: 'catalog-test', version: '1' });
  }

  static async start(names: (string | Tool)[]): Promise<FakeUpstream> {
    const fake = new FakeUpstream(names.map((t) => (typeof t === 'string' ? tool(t) : t)));
    const [a, b] = InMemoryTransport.createLinkedPair();
    await fake.server.connect(b);
    await fake.client.connect(a);
    return fake;
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.server.close();
  }
}

function tool(name: string): Tool {
  return { name, inputSchema: { type: 'object', properties: {} } };
}

interface Entry {
  name: string;
  enabled: boolean;
  state: ServerState;
  client: Client | null;
}

class FakeDirectory extends EventEmitter<UpstreamEvents> implements UpstreamDirectory {
  readonly entries = new Map<string, Entry>();

  get(name: string): Upstream | undefined {
    const entry = this.entries.get(name);
    return entry ? this.#upstream(entry) : undefined;
  }

  list(): readonly Upstream[] {
    return [...this.entries.values()].map((e) => this.#upstream(e));
  }

  set(name: string, state: ServerState, client: Client | null = null, enabled = true): void {
    this.entries.set(name, { name, enabled, state, client });
    this.emit('state', name, state);
  }

  remove(name: string): void {
    this.entries.delete(name);
    this.emit('membership');
  }

  #upstream(e: Entry): Upstream {
    return {
      name: e.name,
      enabled: e.enabled,
      state: e.state,
      client: e.state.state === 'running' ? e.client : null,
      timeouts: timeoutsSchema.parse({ startupMs: 1_000 }),
      unavailableMessage: () => `server "${e.name}" is ${e.state.state}`,
    };
  }
}

const open: FakeUpstream[] = [];
async function upstream(names: (string | Tool)[]): Promise<FakeUpstream> {
  const fake = await FakeUpstream.start(names);
  open.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

function changes(catalog: ToolCatalog): string[] {
  const seen: string[] = [];
  catalog.on('changed', (server) => seen.push(server));
  return seen;
}

function nextChange(catalog: ToolCatalog, server: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (name: string): void => {
      if (name !== server) return;
      catalog.off('changed', listener);
      resolve();
    };
    catalog.on('changed', listener);
  });
}

async function listed(dir: FakeDirectory, separator = '__'): Promise<ToolCatalog> {
  const catalog = new ToolCatalog(dir, separator, silentLogger);
  const running = [...dir.entries.values()].filter((e) => e.state.state === 'running');
  await Promise.all(running.map((e) => catalog.whenListed(e.name, 2_000)));
  return catalog;
}

test('merges serving servers’ tools under prefixed names and routes them back', async () => {
  const dir = new FakeDirectory();
  dir.set('fs', RUNNING, (await upstream(['read', 'write'])).client);
  dir.set('mem', RUNNING, (await upstream(['read'])).client);
  const catalog = await listed(dir);
  const merged = await catalog.list(null, 0);
  assert.deepEqual(
    merged.tools.map((t) => t.name),
    ['fs__read', 'fs__write', 'mem__read'],
  );
  assert.deepEqual(merged.unavailable, []);
  assert.deepEqual(catalog.route('mem__read'), { server: 'mem', tool: 'read' });
  assert.equal(catalog.route('mem__nope'), null);
  assert.equal(catalog.route('nobody__read'), null);
  assert.equal(catalog.tool('fs', 'write')?.name, 'write');
  const scoped = await catalog.list('fs', 0);
  assert.deepEqual(
    scoped.tools.map((t) => t.name),
    ['read', 'write'],
  );
});

test('uses the configured separator', async () => {
  const dir = new FakeDirectory();
  dir.set('fs', RUNNING, (await upstream(['read'])).client);
  const catalog = await listed(dir, '.');
  assert.deepEqual(
    (await catalog.list(null, 0)).tools.map((t) => t.name),
    ['fs.read'],
  );
  assert.deepEqual(catalog.route('fs.read'), { server: 'fs', tool: 'read' });
});

test('reads every page of a paginated list', async () => {
  const dir = new FakeDirectory();
  const fake = await upstream(Array.from({ length: 7 }, (_, i) => `t${i}`));
  fake.pageSize = 3;
  dir.set('paged', RUNNING, fake.client);
  const catalog = await listed(dir);
  assert.equal((await catalog.list(null, 0)).tools.length, 7);
  assert.equal(fake.listCalls, 3);
});

test('a server still starting is waited for up to waitMs, then named as unavailable', async (t) => {
  const dir = new FakeDirectory();
  dir.set('ok', RUNNING, (await upstream(['a'])).client);
  dir.set('slow', STARTING);
  const catalog = await listed(dir);
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const listing = catalog.list(null, 300);
  assert.equal(await settlesWithin(listing), false, 'answered before waitMs had passed');
  t.mock.timers.tick(299);
  assert.equal(await settlesWithin(listing), false, 'answered 1 ms before waitMs');
  t.mock.timers.tick(1);
  assert.equal(await settlesWithin(listing), true, 'still waiting after waitMs');
  const merged = await listing;
  assert.deepEqual(
    merged.tools.map((t) => t.name),
    ['ok__a'],
  );
  assert.deepEqual(merged.unavailable, [{ server: 'slow', reason: 'server "slow" is starting' }]);
});

test('a server that comes up within waitMs is in the answer', async () => {
  const dir = new FakeDirectory();
  dir.set('late', STARTING);
  const catalog = new ToolCatalog(dir, '__', silentLogger);
  const fake = await upstream(['x']);
  setTimeout(() => dir.set('late', RUNNING, fake.client), 100);
  const merged = await catalog.list(null, 3_000);
  assert.deepEqual(
    merged.tools.map((t) => t.name),
    ['late__x'],
  );
  assert.deepEqual(merged.unavailable, []);
});

test('a server in backoff is not waited for; a disabled one is neither waited for nor named', async () => {
  const dir = new FakeDirectory();
  dir.set('down', BACKOFF);
  dir.set('off', { state: 'stopped' }, null, false);
  const catalog = new ToolCatalog(dir, '__', silentLogger);
  const listing = catalog.list(null, 60_000);
  assert.equal(await settlesWithin(listing), true, 'waited for a server in backoff');
  const merged = await listing;
  assert.deepEqual(merged.unavailable, [{ server: 'down', reason: 'server "down" is backoff' }]);
});

test('a server whose tools/list hangs is named within waitMs, with no error until its listing fails', async (t) => {
  const dir = new FakeDirectory();
  const fake = await upstream(['x']);
  let release!: () => void;
  fake.gate = new Promise((resolve) => (release = resolve));
  dir.set('mute', RUNNING, fake.client);
  const catalog = new ToolCatalog(dir, '__', silentLogger);
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const listing = catalog.list(null, 200);
  assert.equal(await settlesWithin(listing), false, 'answered before waitMs had passed');
  t.mock.timers.tick(200);
  assert.equal(await settlesWithin(listing), true, 'a hung listing held the answer past waitMs');
  t.mock.timers.reset();
  const merged = await listing;
  assert.equal(merged.unavailable[0]?.server, 'mute');
  assert.match(merged.unavailable[0]!.reason, /running but has not listed its tools yet/);
  release();
  await catalog.whenListed('mute', 2_000);
  assert.deepEqual(
    (await catalog.list(null, 0)).tools.map((t) => t.name),
    ['mute__x'],
  );
});

test('a failed listing is named with its error and retried on the next list', async () => {
  const dir = new FakeDirectory();
  const fake = await upstream(['x']);
  fake.fail = 'listing broke';
  dir.set('broken', RUNNING, fake.client);
  const catalog = new ToolCatalog(dir, '__', silentLogger);
  assert.equal(await catalog.whenListed('broken', 1_000), false);
  const merged = await catalog.list(null, 0);
  assert.match(merged.unavailable[0]!.reason, /listing its tools failed: .*listing broke/);
  fake.fail = null;
  const retried = await catalog.list(null, 1_000);
  assert.deepEqual(
    retried.tools.map((t) => t.name),
    ['broken__x'],
  );
  assert.deepEqual(retried.unavailable, []);
});

test('a tools change is re-read and announced; an unchanged list is not announced', async () => {
  const dir = new FakeDirectory();
  const fake = await upstream(['a']);
  dir.set('s', RUNNING, fake.client);
  const catalog = await listed(dir);
  const seen = changes(catalog);
  fake.tools = [tool('a'), tool('b')];
  const changed = nextChange(catalog, 's');
  dir.emit('toolsChanged', 's');
  await changed;
  assert.deepEqual(
    (await catalog.list(null, 0)).tools.map((t) => t.name),
    ['s__a', 's__b'],
  );
  await catalog.refresh('s');
  assert.deepEqual(seen, ['s'], 'an identical list was announced');
});

test('a server going down drops its tools and says so; coming back lists them again', async () => {
  const dir = new FakeDirectory();
  dir.set('s', RUNNING, (await upstream(['a'])).client);
  const catalog = await listed(dir);
  const seen = changes(catalog);
  dir.set('s', BACKOFF);
  assert.deepEqual(seen, ['s']);
  assert.equal(catalog.route('s__a'), null);
  assert.deepEqual((await catalog.list(null, 0)).tools, []);
  const back = nextChange(catalog, 's');
  dir.set('s', RUNNING, (await upstream(['a', 'c'])).client);
  await back;
  assert.deepEqual(catalog.route('s__c'), { server: 's', tool: 'c' });
});

test('a listing overtaken by a restart is discarded, and the new connection is listed', async () => {
  const dir = new FakeDirectory();
  const old = await upstream(['old']);
  let release!: () => void;
  old.gate = new Promise((resolve) => (release = resolve));
  dir.set('s', RUNNING, old.client);
  const catalog = new ToolCatalog(dir, '__', silentLogger);
  // The server restarts while the first listing is still waiting for its answer.
  dir.set('s', BACKOFF);
  const fresh = await upstream(['new']);
  dir.set('s', RUNNING, fresh.client);
  assert.equal(await catalog.whenListed('s', 2_000), true);
  release();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(
    (await catalog.list(null, 0)).tools.map((t) => t.name),
    ['s__new'],
  );
});

test('a server removed from the directory loses its tools', async () => {
  const dir = new FakeDirectory();
  dir.set('gone', RUNNING, (await upstream(['a'])).client);
  dir.set('kept', RUNNING, (await upstream(['b'])).client);
  const catalog = await listed(dir);
  const seen = changes(catalog);
  dir.remove('gone');
  assert.deepEqual(seen, ['gone']);
  assert.deepEqual(
    (await catalog.list(null, 0)).tools.map((t) => t.name),
    ['kept__b'],
  );
});

test('whenListed answers at once for listed and for down servers, and waits for starting ones', async (t) => {
  const dir = new FakeDirectory();
  dir.set('up', RUNNING, (await upstream(['a'])).client);
  dir.set('down', BACKOFF);
  dir.set('coming', STARTING);
  const catalog = await listed(dir);
  assert.equal(await catalog.whenListed('up', 5_000), true);
  for (const name of ['down', 'unknown']) {
    const answer = catalog.whenListed(name, 60_000);
    assert.equal(await settlesWithin(answer), true, `waited for "${name}"`);
    assert.equal(await answer, false);
  }
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const coming = catalog.whenListed('coming', 200);
  assert.equal(await settlesWithin(coming), false, 'did not wait for a starting server');
  t.mock.timers.tick(200);
  assert.equal(await coming, false);
});

test('T67 tools with invalid x-mcp-header annotations are left out with a warning; the others are served', async () => {
  const headed = (name: string, properties: Record<string, object>): Tool => ({
    name,
    inputSchema: { type: 'object', properties },
  });
  const dir = new FakeDirectory();
  const fake = await upstream([
    'plain',
    headed('on_string', { region: { type: 'string', 'x-mcp-header': 'Region' } }),
    headed('on_number', { ratio: { type: 'number', 'x-mcp-header': 'Ratio' } }),
    headed('under_items', { tags: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Tag' } } }),
    headed('twice', {
      a: { type: 'string', 'x-mcp-header': 'Name' },
      b: { type: 'string', 'x-mcp-header': 'name' },
    }),
  ]);
  dir.set('geo', RUNNING, fake.client);
  const log = captureLogger();
  const catalog = new ToolCatalog(dir, '__', log.logger);
  await catalog.whenListed('geo', 2_000);
  const merged = await catalog.list(null, 0);
  assert.deepEqual(
    merged.tools.map((t) => t.name),
    ['geo__plain', 'geo__on_string'],
  );
  assert.equal(catalog.route('geo__on_number'), null, 'a left-out tool cannot be called either');
  const warned = log.entries.filter((e) => e['msg'] === 'a tool is left out: its x-mcp-header annotations are invalid');
  assert.deepEqual(
    warned.map((e) => [e['server'], e['tool']]),
    [
      ['geo', 'on_number'],
      ['geo', 'under_items'],
      ['geo', 'twice'],
    ],
  );
  assert.match(String(warned[0]!['reason']), /of type number/);
  assert.match(String(warned[1]!['reason']), /not on a property reached through "properties" alone/);
  assert.match(String(warned[2]!['reason']), /repeats "Name"/);
});

test('each listed tool carries its lint, including clashes with the server’s other tools', async () => {
  const dir = new FakeDirectory();
  dir.set('fs', RUNNING, (await upstream(['search', 'Search', 'read'])).client);
  const catalog = await listed(dir);
  const rules = (findings: readonly { rule: string }[]) =>
    findings.map((f) => f.rule).filter((r) => r.startsWith('name-'));
  assert.deepEqual(
    catalog.lint('fs').map((l) => [l.exposed, rules(l.findings)]),
    [
      ['fs__search', ['name-collision']],
      ['fs__Search', ['name-collision']],
      ['fs__read', []],
    ],
  );
  // The policy engine asks by definition: the listed one has the whole list's findings, another is linted alone.
  assert.deepEqual(rules(catalog.findings('fs', catalog.tool('fs', 'search')!)), ['name-collision']);
  assert.deepEqual(rules(catalog.findings('fs', { ...catalog.tool('fs', 'search')! })), []);
  assert.deepEqual(catalog.lint('nobody'), []);
});
