// The resource catalog against real SDK servers joined in memory: which URIs keep their form, which are
// namespaced, and where a client's URI is routed.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { ResourceCatalog } from '../../../../main/gateway/aggregate/resource-catalog.ts';
import { silentLogger } from '../../../../main/log/logger.ts';
import { BACKOFF, FakeDirectory, FakeUpstream, RUNNING, type FakeContent } from './fake-upstreams.ts';

const open: FakeUpstream[] = [];
async function fake(content: FakeContent): Promise<FakeUpstream> {
  const f = await FakeUpstream.start(content);
  open.push(f);
  return f;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

const res = (uri: string) => ({ uri, name: uri });
const tpl = (uriTemplate: string) => ({ uriTemplate, name: uriTemplate });

async function catalogOf(
  servers: Record<string, FakeContent>,
): Promise<{ dir: FakeDirectory; catalog: ResourceCatalog }> {
  const dir = new FakeDirectory();
  for (const [name, content] of Object.entries(servers)) dir.set(name, RUNNING, await fake(content));
  const catalog = new ResourceCatalog(dir, silentLogger);
  await catalog.list(null, 2_000);
  await catalog.listTemplates(null, 2_000);
  return { dir, catalog };
}

async function uris(catalog: ResourceCatalog, scope: string | null = null): Promise<string[]> {
  return (await catalog.list(scope, 0)).groups.flatMap((g) => g.items.map((r) => r.uri));
}

test('a URI one server offers keeps its form; one two servers offer is namespaced for each', async () => {
  const { catalog } = await catalogOf({
    a: { resources: [res('file:///a.md'), res('shared://x')] },
    b: { resources: [res('shared://x'), res('b://only')] },
  });
  assert.deepEqual(await uris(catalog), [
    'file:///a.md',
    'switchboard+a+shared://x',
    'switchboard+b+shared://x',
    'b://only',
  ]);
  assert.deepEqual(await uris(catalog, 'b'), ['shared://x', 'b://only']);
  assert.deepEqual(catalog.resolve('file:///a.md', null), { ok: true, server: 'a', uri: 'file:///a.md' });
  assert.deepEqual(catalog.resolve('switchboard+b+shared://x', null), { ok: true, server: 'b', uri: 'shared://x' });
  const ambiguous = catalog.resolve('shared://x', null);
  assert.equal(ambiguous.ok, false);
  assert.deepEqual(!ambiguous.ok && ambiguous.data, {
    uri: 'shared://x',
    candidates: ['switchboard+a+shared://x', 'switchboard+b+shared://x'],
  });
  assert.deepEqual(catalog.resolve('shared://x', 'a'), { ok: true, server: 'a', uri: 'shared://x' });
});

test('templates route the URIs they match; overlapping templates, and URIs they match, are namespaced', async () => {
  const { catalog } = await catalogOf({
    a: { templates: [tpl('demo://text/{id}'), tpl('a://items/{id}')], resources: [res('demo://blob/1')] },
    b: { templates: [tpl('demo://text/{n}'), tpl('demo://blob/{n}')] },
  });
  const templates = (await catalog.listTemplates(null, 0)).groups.flatMap((g) => g.items.map((t) => t.uriTemplate));
  assert.deepEqual(templates, [
    'switchboard+a+demo://text/{id}',
    'a://items/{id}',
    'switchboard+b+demo://text/{n}',
    'switchboard+b+demo://blob/{n}',
  ]);
  assert.deepEqual(await uris(catalog), ['switchboard+a+demo://blob/1']);
  assert.deepEqual(catalog.resolve('a://items/9', null), { ok: true, server: 'a', uri: 'a://items/9' });
  assert.equal(catalog.resolve('demo://text/9', null).ok, false);
  assert.deepEqual(catalog.resolve('switchboard+b+demo://text/9', null), {
    ok: true,
    server: 'b',
    uri: 'demo://text/9',
  });
  assert.deepEqual(catalog.resolveTemplate('a://items/{id}', null), { ok: true, server: 'a', uri: 'a://items/{id}' });
  assert.deepEqual(catalog.resolveTemplate('switchboard+a+demo://text/{id}', null), {
    ok: true,
    server: 'a',
    uri: 'demo://text/{id}',
  });
});

test('a URI nobody offers goes to the only server with resources, and is not found when there are several', async () => {
  const one = await catalogOf({ a: { resources: [res('a://1')] }, p: { capabilities: { prompts: {} } } });
  assert.deepEqual(one.catalog.resolve('test://unlisted', null), { ok: true, server: 'a', uri: 'test://unlisted' });
  const two = await catalogOf({ a: { resources: [res('a://1')] }, b: { resources: [res('b://1')] } });
  const missing = two.catalog.resolve('test://unlisted', null);
  assert.equal(missing.ok, false);
  assert.equal(!missing.ok && missing.code, -32602);
  assert.deepEqual(!missing.ok && missing.data, { uri: 'test://unlisted' });
});

test('a URI a result names is remembered for its server; when another server lists it, both are renamed', async () => {
  const { catalog } = await catalogOf({ a: { resources: [res('a://1')] }, b: { resources: [res('b://1')] } });
  const changes: string[] = [];
  catalog.on('changed', (s) => changes.push(s));
  const fromA = catalog.exposer('a', null);
  assert.equal(fromA('session://new'), 'session://new');
  assert.deepEqual(catalog.resolve('session://new', null), { ok: true, server: 'a', uri: 'session://new' });
  assert.deepEqual(changes, []);
  // a's result names b's URI: it is now offered by both.
  assert.equal(fromA('b://1'), 'switchboard+a+b://1');
  assert.deepEqual(changes, ['a']);
  assert.deepEqual(await uris(catalog), ['a://1', 'switchboard+b+b://1']);
  assert.equal(catalog.exposer('a', 'a')('b://1'), 'b://1', 'a scoped session sees the server’s own URIs');
  // A server's own URI that reads as a namespaced form is wrapped again, so it cannot be mistaken for one.
  assert.equal(catalog.exposer('b', null)('switchboard+a+x://y'), 'switchboard+b+switchboard+a+x://y');
});

test('a server that is down keeps its claims: its URIs keep their names and route to it', async () => {
  const { dir, catalog } = await catalogOf({
    a: { resources: [res('a://1'), res('shared://x')] },
    b: { resources: [res('shared://x')] },
  });
  dir.set('a', BACKOFF);
  assert.deepEqual(await uris(catalog), ['switchboard+b+shared://x']);
  assert.deepEqual(catalog.resolve('a://1', null), { ok: true, server: 'a', uri: 'a://1' });
  dir.remove('a');
  assert.deepEqual(await uris(catalog), ['shared://x']);
  assert.deepEqual(catalog.resolve('shared://x', null), { ok: true, server: 'b', uri: 'shared://x' });
});
