// Change notifications across the eras. `ms` speaks only 2026-07-28 over stdio (test/fixtures/modern-upstream.ts
// with `--stdio`): it announces list changes and resource updates on `subscriptions/listen` streams, never as
// unsolicited notifications, and has no `resources/subscribe`. `twin` speaks 2025-11-25 (transparency-server.ts)
// and has nothing but `resources/subscribe` and unsolicited notifications. Both kinds of client hear of both kinds
// of server: a legacy session through its GET stream and `resources/subscribe`, a modern client through its own
// listen stream.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client as ModernClient } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitationCompleteNotificationSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { NODE, REPO, isRunning, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { waitUntil } from '../gateway/support.ts';
import { Session, twinServer } from '../transparency/support.ts';
import { connectModern } from './modern-http.ts';

const FIXTURE = `${REPO}test/fixtures/modern-upstream.ts`;
/** Only a guard against hanging: each wait below ends by an event, never by a clock. */
const GUARD_MS = 15_000;

let h: Harness;

before(async () => {
  h = await startHarness({
    servers: {
      ms: { command: NODE, args: [FIXTURE, '--stdio'], protocol: '2026-07-28' },
      twin: twinServer(),
    },
  });
  await Promise.all(['ms', 'twin'].map((name) => h.waitForState(name, isRunning, GUARD_MS)));
});
after(() => h.close());

/** The listen requests the stdio fixture received, by their filter. */
function upstreamListens(): Record<string, unknown>[] {
  const lines = h.core.supervisor.get('ms')?.stderrTail(500) ?? [];
  return lines.filter((line) => line.startsWith('listen ')).map((line) => JSON.parse(line.slice(7)) as never);
}

/** What reaches a modern client through its listen streams, by notification method. */
function heard(client: ModernClient) {
  const counts = { tools: 0, prompts: 0, resources: 0 };
  const updates: { uri: string; subscription: unknown }[] = [];
  client.setNotificationHandler('notifications/tools/list_changed', () => void (counts.tools += 1));
  client.setNotificationHandler('notifications/prompts/list_changed', () => void (counts.prompts += 1));
  client.setNotificationHandler('notifications/resources/list_changed', () => void (counts.resources += 1));
  client.setNotificationHandler('notifications/resources/updated', (n) => {
    const meta = n.params._meta as Record<string, unknown> | undefined;
    updates.push({ uri: n.params.uri, subscription: meta?.['io.modelcontextprotocol/subscriptionId'] });
  });
  return { counts, updates };
}

test('list changes of a 2026-07-28 stdio server reach a legacy session and a modern listener alike', async (t) => {
  const legacy = await Session.open(h, { name: 'legacy-lists' });
  const modern = await connectModern(t, h);
  const modernHeard = heard(modern);
  const listening = await modern.listen({
    toolsListChanged: true,
    promptsListChanged: true,
    resourcesListChanged: true,
  });
  t.after(() => listening.close());
  assert.deepEqual(listening.honoredFilter, {
    toolsListChanged: true,
    promptsListChanged: true,
    resourcesListChanged: true,
  });

  await legacy.client.callTool({ name: 'ms__add-tool', arguments: { name: 'fresh-tool' } });
  await waitUntil(() => legacy.changed.tools > 0 && modernHeard.counts.tools > 0, 'tools/list_changed', GUARD_MS);
  const legacyTools = (await legacy.client.listTools()).tools.map((tool) => tool.name);
  const modernTools = (await modern.listTools(undefined, { cacheMode: 'bypass' })).tools.map((tool) => tool.name);
  assert.ok(legacyTools.includes('ms__fresh-tool'), legacyTools.join(', '));
  assert.ok(modernTools.includes('ms__fresh-tool'), modernTools.join(', '));

  await legacy.client.callTool({ name: 'ms__add-prompt', arguments: { name: 'fresh-prompt' } });
  await waitUntil(() => legacy.changed.prompts > 0 && modernHeard.counts.prompts > 0, 'prompts/list_changed', GUARD_MS);
  const legacyPrompts = (await legacy.client.listPrompts()).prompts.map((prompt) => prompt.name);
  const modernPrompts = (await modern.listPrompts(undefined, { cacheMode: 'bypass' })).prompts.map((p) => p.name);
  assert.ok(legacyPrompts.includes('ms__fresh-prompt'), legacyPrompts.join(', '));
  assert.ok(modernPrompts.includes('ms__fresh-prompt'), modernPrompts.join(', '));

  await legacy.client.callTool({ name: 'ms__add-resource', arguments: { uri: 'note://fresh' } });
  await waitUntil(
    () => legacy.changed.resources > 0 && modernHeard.counts.resources > 0,
    'resources/list_changed',
    GUARD_MS,
  );
  const legacyResources = (await legacy.client.listResources()).resources.map((resource) => resource.uri);
  const modernResources = (await modern.listResources(undefined, { cacheMode: 'bypass' })).resources.map((r) => r.uri);
  assert.ok(legacyResources.includes('note://fresh'), legacyResources.join(', '));
  assert.ok(modernResources.includes('note://fresh'), modernResources.join(', '));
  const read = await legacy.client.readResource({ uri: 'note://fresh' });
  assert.deepEqual(read.contents, [{ uri: 'note://fresh', mimeType: 'text/plain', text: 'contents of note://fresh' }]);
});

test('legacy sessions subscribe to a 2026-07-28 server’s resources: each update reaches only its subscribers', async () => {
  const a = await Session.open(h, { name: 'subscriber-a' });
  const b = await Session.open(h, { name: 'subscriber-b' });
  await a.client.subscribeResource({ uri: 'note://watched' });
  await b.client.subscribeResource({ uri: 'note://other' });
  // The upstream is asked for both URIs on one listen stream of the gateway's.
  await waitUntil(
    () =>
      upstreamListens().some((filter) => {
        const uris = (filter.resourceSubscriptions as string[] | undefined) ?? [];
        return uris.includes('note://watched') && uris.includes('note://other');
      }),
    'a listen stream subscribed to both URIs',
    GUARD_MS,
  );

  await a.client.callTool({ name: 'ms__touch', arguments: { uri: 'note://watched' } });
  await waitUntil(() => a.updates.includes('note://watched'), 'the update of note://watched', GUARD_MS);
  await a.client.callTool({ name: 'ms__touch', arguments: { uri: 'note://other' } });
  await waitUntil(() => b.updates.includes('note://other'), 'the update of note://other', GUARD_MS);
  assert.deepEqual(a.updates, ['note://watched'], 'a hears only what it subscribed to');
  assert.deepEqual(b.updates, ['note://other'], 'b hears only what it subscribed to');

  // Unsubscribed, a hears nothing more; b, still subscribed, tells when the upstream's updates have come through.
  await a.client.unsubscribeResource({ uri: 'note://watched' });
  await a.client.callTool({ name: 'ms__touch', arguments: { uri: 'note://watched' } });
  await a.client.callTool({ name: 'ms__touch', arguments: { uri: 'note://other' } });
  await waitUntil(() => b.updates.length === 2, 'the second update of note://other', GUARD_MS);
  assert.deepEqual(a.updates, ['note://watched']);
  const last = upstreamListens().at(-1);
  assert.deepEqual(last?.resourceSubscriptions, ['note://other'], 'the upstream no longer watches note://watched');
});

test('a modern client’s listen resourceSubscriptions are honoured for a 2026-07-28 server and a 2025 one', async (t) => {
  const modern = await connectModern(t, h);
  const modernHeard = heard(modern);
  const listening = await modern.listen({ resourceSubscriptions: ['note://watched', 'twin://notes/1'] });
  t.after(() => listening.close());
  assert.deepEqual(listening.honoredFilter, { resourceSubscriptions: ['note://watched', 'twin://notes/1'] });

  await modern.callTool({ name: 'ms__touch', arguments: { uri: 'note://watched' } });
  await modern.callTool({ name: 'twin__touch', arguments: { uri: 'twin://notes/1' } });
  await waitUntil(() => modernHeard.updates.length === 2, 'both updates', GUARD_MS);
  assert.deepEqual(
    modernHeard.updates.map((u) => u.uri).sort(),
    ['note://watched', 'twin://notes/1'],
    'each URI under the form the client subscribed with',
  );
  for (const update of modernHeard.updates) assert.notEqual(update.subscription, undefined, 'tagged with its stream');
});

test('a URL-mode elicitation of a 2026-07-28 server reaches a legacy session with an id, completed with the call', async () => {
  const client = new LegacyClient(
    { name: 'url-legacy', version: '1.0.0' },
    { capabilities: { elicitation: { url: {} } } },
  );
  const asked: { elicitationId: string; url: string }[] = [];
  const completed: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    if (request.params.mode === 'url')
      asked.push({ elicitationId: request.params.elicitationId, url: request.params.url });
    return { action: 'accept' };
  });
  client.setNotificationHandler(
    ElicitationCompleteNotificationSchema,
    (n) => void completed.push(n.params.elicitationId),
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', h.origin), {
      requestInit: { headers: { authorization: `Bearer ${h.token}` } },
    }),
  );
  try {
    const result = await client.callTool({ name: 'ms__connect', arguments: {} });
    assert.deepEqual(result.content, [{ type: 'text', text: 'connected' }]);
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.url, 'https://accounts.example/c');
    assert.ok(asked[0]!.elicitationId.length > 0, 'the 2025 hop has the id its revision requires');
    // The server answering the retry that accepted is what says the out-of-band step is done.
    await waitUntil(() => completed.includes(asked[0]!.elicitationId), 'the completion notification', GUARD_MS);
  } finally {
    await client.close();
  }
});
