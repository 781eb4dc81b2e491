// Resources, resource templates, prompts and completions through the gateway, with server-everything and the twin
// fixture side by side: merged lists paged with the gateway's own cursors, URIs kept where one server offers them
// and namespaced where two do (in lists, reads, tool results and prompt messages alike), names namespaced like
// tools, and `/mcp/<server>` showing a server exactly as it is.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Harness } from '../../helpers/gateway-harness.ts';
import { asMcpError, report, timed, waitUntil } from '../gateway/support.ts';
import { SHARED_TEMPLATE, SHARED_URI, Session, startTransparency } from './support.ts';

const PAGE = 4;
const ns = (server: string, uri: string): string => `switchboard+${server}+${uri}`;

let h: Harness;
let client: Client;

before(async () => {
  h = await startTransparency({ gateway: { listPageSize: PAGE } });
  client = await h.connect();
});
after(() => h.close());

/** Every page of a list, following nextCursor; also how many pages it took. */
async function all<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string }>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const result = await page(cursor);
    assert.ok(result.items.length <= PAGE, `a page held ${result.items.length} items`);
    items.push(...result.items);
    cursor = result.nextCursor;
    pages += 1;
  } while (cursor !== undefined && pages < 100);
  return { items, pages };
}

const resources = (c: Client) =>
  all<Resource>(async (cursor) => {
    const r = await c.listResources(cursor === undefined ? {} : { cursor });
    return { items: r.resources, nextCursor: r.nextCursor };
  });
const templates = (c: Client) =>
  all<ResourceTemplate>(async (cursor) => {
    const r = await c.listResourceTemplates(cursor === undefined ? {} : { cursor });
    return { items: r.resourceTemplates, nextCursor: r.nextCursor };
  });
const prompts = (c: Client) =>
  all<Prompt>(async (cursor) => {
    const r = await c.listPrompts(cursor === undefined ? {} : { cursor });
    return { items: r.prompts, nextCursor: r.nextCursor };
  });
const tools = (c: Client) =>
  all<Tool>(async (cursor) => {
    const r = await c.listTools(cursor === undefined ? {} : { cursor });
    return { items: r.tools, nextCursor: r.nextCursor };
  });

test('every session is offered tools, prompts, resources with subscriptions, completions and logging', () => {
  assert.deepEqual(client.getServerCapabilities(), {
    tools: { listChanged: true },
    prompts: { listChanged: true },
    resources: { subscribe: true, listChanged: true },
    completions: {},
    logging: {},
  });
});

test('resources/list merges both servers, paged with gateway cursors; a shared URI is namespaced for each', async (t) => {
  const { items, pages } = await resources(client);
  const uris = items.map((r) => r.uri);
  report(t, 'resources', `${items.length} in ${pages} pages of ${PAGE}`);
  assert.ok(pages >= 3);
  assert.ok(uris.includes('demo://resource/static/document/architecture.md'), 'a URI only everything offers is kept');
  assert.ok(uris.includes('twin://notes/1'), 'a URI only twin offers is kept');
  assert.ok(uris.includes(ns('everything', SHARED_URI)));
  assert.ok(uris.includes(ns('twin', SHARED_URI)));
  assert.ok(!uris.includes(SHARED_URI), 'a URI two servers offer is never exposed bare');
  assert.equal(new Set(uris).size, uris.length, 'a URI appears twice');
  const twin = items.find((r) => r.uri === ns('twin', SHARED_URI))!;
  assert.equal(twin.description, 'The twin of a shared URI.');
  // A cursor is the gateway's: one from another list, or made up, is refused.
  const first = await client.listResources();
  const error = asMcpError((await timed(() => client.listPrompts({ cursor: first.nextCursor! }))).error);
  assert.equal(error.code, -32602);
  const made = asMcpError((await timed(() => client.listResources({ cursor: 'not-a-cursor' }))).error);
  assert.equal(made.code, -32602);
});

test('tools/list pages too once the list is longer than a page; all names stay unique', async (t) => {
  const { items, pages } = await tools(client);
  report(t, 'tools', `${items.length} in ${pages} pages`);
  assert.ok(pages > 1);
  assert.equal(new Set(items.map((x) => x.name)).size, items.length);
  const links = items.find((x) => x.name === 'twin__links')!;
  // Annotations, icons, _meta and outputSchema come through unchanged.
  assert.deepEqual(links.annotations, { readOnlyHint: true, openWorldHint: false, title: 'Resource links' });
  assert.deepEqual(links.icons, [
    { src: 'data:image/png;base64,iVBORw0KGgo=', mimeType: 'image/png', sizes: ['16x16'] },
  ]);
  assert.deepEqual(links._meta, { 'dev.example/owner': 'twin' });
  assert.deepEqual(links.outputSchema, {
    type: 'object',
    properties: { count: { type: 'number' } },
    required: ['count'],
  });
  assert.equal(links.title, 'Links');
});

test('resources/read: a unique URI as it is, a shared one by its namespaced form, a bare shared one refused', async () => {
  const unique = await client.readResource({ uri: 'twin://notes/1' });
  assert.deepEqual(unique.contents, [{ uri: 'twin://notes/1', mimeType: 'text/plain', text: 'twin:twin://notes/1' }]);
  const twin = await client.readResource({ uri: ns('twin', SHARED_URI) });
  assert.equal(twin.contents[0]!.uri, ns('twin', SHARED_URI));
  assert.equal((twin.contents[0] as { text: string }).text, `twin:${SHARED_URI}`);
  const everything = await client.readResource({ uri: ns('everything', SHARED_URI) });
  assert.match((everything.contents[0] as { text: string }).text, /Everything Server - Features/);
  const bare = asMcpError((await timed(() => client.readResource({ uri: SHARED_URI }))).error);
  assert.equal(bare.code, -32602);
  assert.match(bare.message, /offered by more than one server \(everything, twin\)/);
  assert.deepEqual((bare.data as { candidates: string[] }).candidates, [
    ns('everything', SHARED_URI),
    ns('twin', SHARED_URI),
  ]);
});

test('URIs from templates route by the template that matches; nobody’s URI is "not found" with the URI', async (t) => {
  const item = await client.readResource({ uri: 'twin://items/42' });
  assert.equal((item.contents[0] as { text: string }).text, 'twin:twin://items/42');
  const blob = await client.readResource({ uri: 'demo://resource/dynamic/blob/3' });
  assert.equal(blob.contents[0]!.uri, 'demo://resource/dynamic/blob/3');
  assert.ok('blob' in blob.contents[0]!);
  const missing = asMcpError((await timed(() => client.readResource({ uri: 'nowhere://x' }))).error);
  assert.equal(missing.code, -32602);
  assert.deepEqual(missing.data, { uri: 'nowhere://x' });
  const unlisted = asMcpError((await timed(() => client.readResource({ uri: 'twin://notes/9' }))).error);
  report(t, 'a URI no server lists or matches', unlisted.message);
  assert.deepEqual(unlisted.data, { uri: 'twin://notes/9' });
  // On a server's own endpoint the URI goes to the server, and its not-found keeps its code and data.
  const scoped = await h.connect({ path: '/mcp/twin' });
  const upstream = asMcpError((await timed(() => scoped.readResource({ uri: 'twin://notes/9' }))).error);
  report(t, 'the server’s own not found', upstream.message);
  assert.equal(upstream.code, -32602);
  assert.match(upstream.message, /server "twin", resource "twin:\/\/notes\/9"/);
  assert.deepEqual(upstream.data, { uri: 'twin://notes/9' });
});

test('resources/templates/list: a template both offer is namespaced, and its expansions read from the right server', async () => {
  const { items } = await templates(client);
  const shown = items.map((x) => x.uriTemplate);
  assert.ok(shown.includes(ns('everything', SHARED_TEMPLATE)));
  assert.ok(shown.includes(ns('twin', SHARED_TEMPLATE)));
  assert.ok(shown.includes('demo://resource/dynamic/blob/{resourceId}'));
  assert.ok(shown.includes('twin://items/{id}'));
  const fromEverything = await client.readResource({ uri: ns('everything', 'demo://resource/dynamic/text/5') });
  assert.match((fromEverything.contents[0] as { text: string }).text, /Resource 5: This is a plaintext resource/);
  const fromTwin = await client.readResource({ uri: ns('twin', 'demo://resource/dynamic/text/5') });
  assert.equal((fromTwin.contents[0] as { text: string }).text, 'twin:demo://resource/dynamic/text/5');
  assert.equal(fromTwin.contents[0]!.uri, ns('twin', 'demo://resource/dynamic/text/5'));
});

test('resource links and embedded resources in tool results are named as the lists name them, and readable', async () => {
  const result = await client.callTool({ name: 'twin__links', arguments: {} });
  const content = result.content as { type: string; uri?: string; resource?: { uri: string } }[];
  assert.equal(content[0]!.uri, ns('twin', SHARED_URI));
  assert.equal(content[1]!.uri, 'twin://notes/1');
  assert.equal(content[2]!.resource!.uri, ns('twin', 'demo://resource/dynamic/text/7'));
  assert.deepEqual(result.structuredContent, { count: 3 });
  assert.deepEqual(result._meta, { 'dev.example/trace': 'abc' });
  const links = await client.callTool({ name: 'everything__get-resource-links', arguments: { count: 2 } });
  const linked = (links.content as { type: string; uri?: string }[]).filter((c) => c.type === 'resource_link');
  assert.deepEqual(
    linked.map((l) => l.uri),
    ['demo://resource/dynamic/blob/1', ns('everything', 'demo://resource/dynamic/text/2')],
  );
  for (const link of linked) {
    const read = await client.readResource({ uri: link.uri! });
    assert.equal(read.contents[0]!.uri, link.uri);
  }
  const reference = await client.callTool({
    name: 'everything__get-resource-reference',
    arguments: { resourceType: 'Text', resourceId: 4 },
  });
  const embedded = (reference.content as { type: string; resource?: { uri: string } }[]).find(
    (c) => c.type === 'resource',
  );
  assert.equal(embedded?.resource?.uri, ns('everything', 'demo://resource/dynamic/text/4'));
});

test('prompts/list merges both servers under <server>__<prompt>; prompts/get passes arguments and maps URIs', async () => {
  const { items } = await prompts(client);
  const names = items.map((p) => p.name);
  for (const name of ['everything__simple-prompt', 'everything__args-prompt', 'twin__simple-prompt', 'twin__greet']) {
    assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
  }
  const args = await client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Lyon', state: 'RA' } });
  assert.deepEqual(args.messages[0]!.content, { type: 'text', text: "What's weather in Lyon, RA?" });
  const twin = await client.getPrompt({ name: 'twin__simple-prompt' });
  assert.deepEqual(twin.messages[0]!.content, { type: 'text', text: 'twin simple prompt' });
  const greet = await client.getPrompt({ name: 'twin__greet', arguments: { name: 'Ada' } });
  assert.equal(greet.description, 'A greeting');
  assert.deepEqual(greet.messages[0]!.content, { type: 'text', text: 'Hello Ada' });
  assert.equal((greet.messages[1]!.content as { resource: { uri: string } }).resource.uri, ns('twin', SHARED_URI));
  assert.equal((greet.messages[2]!.content as { uri: string }).uri, 'twin://notes/2');
  const embedded = await client.getPrompt({
    name: 'everything__resource-prompt',
    arguments: { resourceType: 'Text', resourceId: '3' },
  });
  assert.equal(
    (embedded.messages[1]!.content as { resource: { uri: string } }).resource.uri,
    ns('everything', 'demo://resource/dynamic/text/3'),
  );
  const unknown = asMcpError((await timed(() => client.getPrompt({ name: 'twin__nope' }))).error);
  assert.equal(unknown.code, -32602);
});

test('completion/complete for prompt arguments and template variables, with names and URIs mapped back', async () => {
  const department = await client.complete({
    ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
    argument: { name: 'department', value: 'S' },
  });
  assert.deepEqual(department.completion.values, ['Sales', 'Support']);
  const person = await client.complete({
    ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
    argument: { name: 'name', value: '' },
    context: { arguments: { department: 'Engineering' } },
  });
  assert.deepEqual(person.completion.values, ['Alice', 'Bob', 'Charlie']);
  const greet = await client.complete({
    ref: { type: 'ref/prompt', name: 'twin__greet' },
    argument: { name: 'name', value: 'A' },
  });
  assert.deepEqual(greet.completion.values, ['Ada', 'Alan']);
  const item = await client.complete({
    ref: { type: 'ref/resource', uri: 'twin://items/{id}' },
    argument: { name: 'id', value: '2' },
  });
  assert.deepEqual(item.completion.values, ['2']);
  const text = await client.complete({
    ref: { type: 'ref/resource', uri: ns('everything', SHARED_TEMPLATE) },
    argument: { name: 'resourceId', value: '12' },
  });
  assert.deepEqual(text.completion.values, ['12']);
});

test('/mcp/<server> shows the server as it is: its own URIs, templates and prompt names', async () => {
  const scoped = await h.connect({ path: '/mcp/twin' });
  const { items } = await resources(scoped);
  assert.deepEqual(
    items.map((r) => r.uri),
    ['twin://notes/1', 'twin://notes/2', SHARED_URI],
  );
  assert.ok((await templates(scoped)).items.some((x) => x.uriTemplate === SHARED_TEMPLATE));
  const read = await scoped.readResource({ uri: SHARED_URI });
  assert.equal((read.contents[0] as { text: string }).text, `twin:${SHARED_URI}`);
  assert.deepEqual((await prompts(scoped)).items.map((p) => p.name).slice(0, 2), ['simple-prompt', 'greet']);
  const greet = await scoped.getPrompt({ name: 'greet', arguments: { name: 'Grace' } });
  assert.equal((greet.messages[1]!.content as { resource: { uri: string } }).resource.uri, SHARED_URI);
  const links = await scoped.callTool({ name: 'links', arguments: {} });
  assert.equal((links.content as { uri?: string }[])[0]!.uri, SHARED_URI);
  const completed = await scoped.complete({
    ref: { type: 'ref/resource', uri: SHARED_TEMPLATE },
    argument: { name: 'resourceId', value: '1' },
  });
  assert.deepEqual(completed.completion.values, []);
  const everything = await h.connect({ path: '/mcp/everything' });
  const docs = await everything.readResource({ uri: SHARED_URI });
  assert.match((docs.contents[0] as { text: string }).text, /Everything Server - Features/);
});

test('list_changed for resources and prompts reaches sessions when a server changes its lists', async (t) => {
  const watcher = await Session.open(h);
  const before = { ...watcher.changed };
  const started = performance.now();
  await client.callTool({ name: 'twin__add-resource', arguments: { uri: 'twin://notes/added' } });
  await waitUntil(() => watcher.changed.resources > before.resources, 'resources/list_changed');
  report(t, 'resources/list_changed after add-resource', performance.now() - started);
  await waitUntil(
    async () => (await resources(client)).items.some((r) => r.uri === 'twin://notes/added'),
    'the added resource in the list',
  );
  await client.callTool({ name: 'twin__add-prompt', arguments: { name: 'added-prompt' } });
  await waitUntil(() => watcher.changed.prompts > before.prompts, 'prompts/list_changed');
  await waitUntil(
    async () => (await prompts(client)).items.some((p) => p.name === 'twin__added-prompt'),
    'the added prompt in the list',
  );
  // A URI a tool result names that another server lists is now offered twice: the list says so.
  await client.callTool({
    name: 'twin__add-resource',
    arguments: { uri: 'demo://resource/static/document/startup.md' },
  });
  await waitUntil(
    async () =>
      (await resources(client)).items.some(
        (r) => r.uri === ns('everything', 'demo://resource/static/document/startup.md'),
      ),
    'the newly shared URI namespaced',
  );
});
