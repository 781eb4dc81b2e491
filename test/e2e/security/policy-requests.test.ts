// Policy on the requests that are not tool calls (prompts/get, resources/read, completion/complete), through the
// gateway with real SDK clients and server-everything: rules naming prompts and resources hide them from lists and
// refuse their requests before the server sees them, argument constraints, confirmation, rate limits and
// toolsets apply as they do to tools, and each decision is audited with its rule.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ConfigInput } from '../../../main/config/schema.ts';
import { binOf, isRunning, NODE, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { audit } from './mcp-session.ts';
import { clientNamed, refusal } from './policy-support.ts';

const EVERYTHING = {
  command: NODE,
  args: [binOf('@modelcontextprotocol/server-everything', 'dist/index.js'), 'stdio'],
};
const DOCS = 'demo://resource/static/document/';

async function startCore(t: TestContext, policy: ConfigInput['policy']): Promise<Harness> {
  const h = await startHarness({ servers: { everything: EVERYTHING }, policy });
  t.after(() => h.close());
  await h.waitForState('everything', isRunning, 60_000);
  return h;
}

/** A client under its own token name; `confirm` answers the gateway's confirmation questions. */
async function clientAnswering(
  t: TestContext,
  h: Harness,
  name: string,
  confirm?: () => 'accept' | 'decline',
): Promise<Client> {
  const client = await clientNamed(t, h, name, { elicitation: confirm !== undefined });
  if (confirm) client.setRequestHandler(ElicitRequestSchema, () => ({ action: confirm() }));
  return client;
}

const promptNames = async (c: Client): Promise<string[]> => (await c.listPrompts()).prompts.map((p) => p.name);
const resourceUris = async (c: Client): Promise<string[]> => (await c.listResources()).resources.map((r) => r.uri);

test('rules naming prompts and resources hide them from a client and refuse its requests; others keep them', async (t) => {
  const h = await startCore(t, {
    rules: [
      { id: 'a-no-args', clients: ['a'], prompts: ['everything__args-prompt'], action: 'deny' },
      { id: 'a-no-docs', clients: ['a'], resources: [`${DOCS}*`], action: 'deny' },
      { id: 'a-no-completable', clients: ['a'], prompts: ['everything__completable-prompt'], action: 'deny' },
    ],
  });
  const a = await clientNamed(t, h, 'a');
  const b = await clientNamed(t, h, 'b');

  const aPrompts = await promptNames(a);
  assert.ok(!aPrompts.includes('everything__args-prompt'), 'the denied prompt is not listed');
  assert.ok(aPrompts.includes('everything__simple-prompt'), 'a prompt no rule names is');
  assert.ok(!(await resourceUris(a)).some((uri) => uri.startsWith(DOCS)), 'the denied documents are not listed');
  const bDocs = (await resourceUris(b)).filter((uri) => uri.startsWith(DOCS));
  assert.ok(bDocs.length > 0, 'b sees the documents');
  assert.ok((await promptNames(b)).includes('everything__args-prompt'));

  const prompt = await refusal(a.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Lyon' } }));
  assert.equal(prompt.code, -32001);
  assert.match(prompt.message, /a-no-args/);
  const read = await refusal(a.readResource({ uri: bDocs[0]! }));
  assert.equal(read.code, -32001);
  assert.match(read.message, /a-no-docs/);
  const completion = await refusal(
    a.complete({
      ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
      argument: { name: 'department', value: 'S' },
    }),
  );
  assert.match(completion.message, /a-no-completable/);
  // The tool rules and the tools are untouched by rules naming prompts and resources only.
  assert.ok((await a.listTools()).tools.some((tool) => tool.name === 'everything__echo'));

  const got = await b.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Lyon' } });
  assert.ok(JSON.stringify(got.messages).includes('Lyon'));
  const contents = await b.readResource({ uri: bDocs[0]! });
  assert.equal(contents.contents.length, 1);

  // Oldest first.
  const decided = (method: string) =>
    audit(h, { method })
      .reverse()
      .map((r) => [r.client, r.outcome, r.decision, r.rule, r.target] as const);
  assert.deepEqual(decided('prompts/get').sort(), [
    ['a', 'denied', 'deny', 'a-no-args', 'args-prompt'],
    ['b', 'ok', 'allow', 'default', 'args-prompt'],
  ]);
  assert.deepEqual(
    decided('resources/read').map(([client, outcome, , rule]) => [client, outcome, rule]),
    [
      ['a', 'denied', 'a-no-docs'],
      ['b', 'ok', 'default'],
    ],
  );
  assert.deepEqual(
    decided('completion/complete').map(([client, outcome, , rule]) => [client, outcome, rule]),
    [['a', 'denied', 'a-no-completable']],
  );
});

test('argument constraints, confirmation and rate limits apply to prompts as to tools', async (t) => {
  const h = await startCore(t, {
    rules: [
      {
        id: 'city-capitalised',
        prompts: ['everything__args-prompt'],
        action: 'allow',
        arguments: { city: { pattern: '^[A-Z][a-z]+$' } },
      },
      { id: 'ask-simple', prompts: ['everything__simple-prompt'], action: 'confirm' },
    ],
    rateLimits: [{ id: 'one-resource-read', resources: ['*'], calls: 1, perSeconds: 3_600 }],
  });
  let answer: 'accept' | 'decline' = 'decline';
  let asked = 0;
  const a = await clientAnswering(t, h, 'a', () => {
    asked += 1;
    return answer;
  });

  const bad = await refusal(a.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'lyon; rm -rf /' } }));
  assert.equal(bad.code, -32602);
  assert.match(bad.message, /city-capitalised/);
  assert.deepEqual(
    (bad.data as { problems: { path: string }[] }).problems.map((p) => p.path),
    ['arguments.city'],
  );
  await a.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Lyon' } });

  const declined = await refusal(a.getPrompt({ name: 'everything__simple-prompt' }));
  assert.equal(declined.code, -32001);
  assert.match(declined.message, /ask-simple.*declined/s);
  answer = 'accept';
  const accepted = await a.getPrompt({ name: 'everything__simple-prompt' });
  assert.ok(accepted.messages.length > 0);
  assert.equal(asked, 2, 'asked once per request');

  const docs = (await resourceUris(a)).filter((uri) => uri.startsWith(DOCS));
  await a.readResource({ uri: docs[0]! });
  const throttled = await refusal(a.readResource({ uri: docs[1] ?? docs[0]! }));
  assert.equal(throttled.code, -32001);
  assert.equal((throttled.data as { rule: string }).rule, 'one-resource-read');
  assert.ok((throttled.data as { retryAfterMs: number }).retryAfterMs > 0);
  // A limit naming resources leaves prompts alone.
  await a.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Lyon' } });

  const records = audit(h, { method: 'prompts/get' })
    .reverse()
    .map((r) => [r.outcome, r.rule, r.detail?.confirmation]);
  assert.deepEqual(records, [
    ['denied', 'city-capitalised', undefined],
    ['ok', 'city-capitalised', undefined],
    ['denied', 'ask-simple', 'declined'],
    ['ok', 'ask-simple', 'accepted'],
    ['ok', 'city-capitalised', undefined],
  ]);
  assert.deepEqual(
    audit(h, { method: 'resources/read' })
      .reverse()
      .map((r) => [r.outcome, r.rule]),
    [
      ['ok', 'default'],
      ['throttled', 'one-resource-read'],
    ],
  );
});

test("a toolset naming servers hides other servers' prompts and resources; a read outside it is unknown", async (t) => {
  const h = await startCore(t, { toolsets: { narrow: { servers: ['elsewhere'] } } });
  const narrow = await clientNamed(t, h, 'narrow');
  const wide = await clientNamed(t, h, 'wide');
  assert.deepEqual(await promptNames(narrow), []);
  assert.deepEqual(await resourceUris(narrow), []);
  const uri = (await resourceUris(wide)).find((u) => u.startsWith(DOCS))!;
  const unknown = await refusal(narrow.readResource({ uri }));
  assert.equal(unknown.code, -32602);
  assert.match(unknown.message, /Unknown resource/);
  const unknownPrompt = await refusal(narrow.getPrompt({ name: 'everything__simple-prompt' }));
  assert.match(unknownPrompt.message, /Unknown prompt/);
  assert.deepEqual(
    audit(h, { client: 'narrow' })
      .reverse()
      .filter((r) => r.kind === 'request')
      .map((r) => [r.method, r.outcome, r.rule]),
    [
      ['resources/read', 'denied', 'policy.toolsets.narrow'],
      ['prompts/get', 'denied', 'policy.toolsets.narrow'],
    ],
  );
});
