// Several client sessions over the same upstream connections: each sees only its own responses and progress,
// resource updates reach only the sessions subscribed to that URI (one upstream subscription however many
// sessions want it, ended with the last), and log messages follow each session's level, reach only the session
// whose request caused them, and are withheld when they could belong to more than one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Harness } from '../../helpers/gateway-harness.ts';
import { asMcpError, report, timed, waitUntil } from '../gateway/support.ts';
import { SHARED_URI, Session, startTransparency, stderrOf } from './support.ts';

let h: Harness;

before(async () => {
  h = await startTransparency();
});
after(() => h.close());

function lines(server: string, prefix: string): string[] {
  return stderrOf(h, server).filter((line) => line.startsWith(prefix));
}

async function end(session: Session): Promise<void> {
  await (session.client.transport as StreamableHTTPClientTransport).terminateSession();
  await session.client.close();
}

test('concurrent sessions each get their own results and only their own progress', async (t) => {
  const sessions = await Promise.all(['a', 'b', 'c', 'd'].map((name) => Session.open(h, { name })));
  const started = performance.now();
  const runs = sessions.map(async (session, i) => {
    const tag = `session-${i}`;
    const steps = 3 + i;
    const progress: Progress[] = [];
    const [slept, echoed] = await Promise.all([
      session.client.callTool(
        { name: 'twin__sleep', arguments: { ms: 300 + 100 * i, steps, tag } },
        CallToolResultSchema,
        { onprogress: (p) => progress.push(p) },
      ),
      session.client.callTool({ name: 'everything__echo', arguments: { message: tag } }),
    ]);
    return { tag, steps, ms: 300 + 100 * i, progress, slept, echoed };
  });
  const everythingProgress: Progress[] = [];
  const long = sessions[0]!.client.callTool(
    { name: 'everything__trigger-long-running-operation', arguments: { duration: 1, steps: 4 } },
    CallToolResultSchema,
    { onprogress: (p) => everythingProgress.push(p) },
  );
  const results = await Promise.all(runs);
  await long;
  report(t, 'four sessions, eight concurrent calls', performance.now() - started);
  for (const { tag, steps, ms, progress, slept, echoed } of results) {
    assert.deepEqual(slept.content, [{ type: 'text', text: `slept ${ms} ms ${tag}` }]);
    assert.deepEqual(echoed.content, [{ type: 'text', text: `Echo: ${tag}` }]);
    // The SDK client may drop a final progress read together with its result; never one of another session's.
    assert.ok(progress.length >= steps - 1 && progress.length <= steps, `${tag}: ${progress.length} of ${steps}`);
    assert.ok(
      progress.every((p) => p.message === tag && p.total === steps),
      `${tag} saw ${JSON.stringify(progress)}`,
    );
  }
  assert.ok(everythingProgress.length >= 3 && everythingProgress.every((p) => p.total === 4));
  await Promise.all(sessions.map(end));
});

test('resource updates reach only subscribers; one upstream subscription per URI, ended with the last', async (t) => {
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => Session.open(h, { name })));
  const d = await Session.open(h, { path: '/mcp/twin', name: 'd' });
  const note1 = 'twin://notes/1';
  const note2 = 'twin://notes/2';
  const subscribedBefore = lines('twin', `subscribe ${note1}`).length;
  await Promise.all([a!.client.subscribeResource({ uri: note1 }), b!.client.subscribeResource({ uri: note1 })]);
  await d.client.subscribeResource({ uri: note1 });
  await c!.client.subscribeResource({ uri: note2 });
  assert.equal(lines('twin', `subscribe ${note1}`).length - subscribedBefore, 1, 'subscribed upstream more than once');

  await c!.client.callTool({ name: 'twin__touch', arguments: { uri: note1 } });
  await waitUntil(
    () => a!.updates.length > 0 && b!.updates.length > 0 && d.updates.length > 0,
    'updates for the subscribers',
  );
  await c!.client.callTool({ name: 'twin__touch', arguments: { uri: note2 } });
  await waitUntil(() => c!.updates.length > 0, 'the update for c');
  await sleep(200);
  assert.deepEqual(a!.updates, [note1]);
  assert.deepEqual(b!.updates, [note1]);
  assert.deepEqual(d.updates, [note1]);
  assert.deepEqual(c!.updates, [note2]);

  // A shared URI subscribed by its namespaced form comes back in that form.
  const shared = `switchboard+twin+${SHARED_URI}`;
  await a!.client.subscribeResource({ uri: shared });
  await b!.client.callTool({ name: 'twin__touch', arguments: { uri: SHARED_URI } });
  await waitUntil(() => a!.updates.includes(shared), 'the update under the namespaced URI');
  assert.ok(!b!.updates.includes(shared) && !b!.updates.includes(SHARED_URI));

  await b!.client.unsubscribeResource({ uri: note1 });
  await c!.client.callTool({ name: 'twin__touch', arguments: { uri: note1 } });
  await waitUntil(() => a!.updates.filter((u) => u === note1).length === 2, 'the second update for a');
  await waitUntil(() => d.updates.length === 2, 'the second update for d');
  await sleep(200);
  assert.deepEqual(b!.updates, [note1], 'b got an update after unsubscribing');
  assert.equal(lines('twin', `unsubscribe ${note1}`).length, 0, 'unsubscribed upstream while others still want it');

  await a!.client.unsubscribeResource({ uri: note1 });
  await end(d);
  await waitUntil(() => lines('twin', `unsubscribe ${note1}`).length === 1, 'the upstream unsubscribe after the last');
  const counts = [`subscribe ${note1}`, `unsubscribe ${note1}`].map(
    (p) => lines('twin', p).length - (p.startsWith('sub') ? subscribedBefore : 0),
  );
  report(t, 'upstream subscribe / unsubscribe of twin://notes/1 for three subscribers', counts.join(' / '));

  // server-everything, over stdio, logs each subscription while it is being made: only the subscriber sees it.
  await Promise.all([a!.client.setLoggingLevel('debug'), b!.client.setLoggingLevel('debug')]);
  const doc = 'demo://resource/static/document/architecture.md';
  await a!.client.subscribeResource({ uri: doc });
  await waitUntil(() => a!.logged('Received Subscribe Resource request').length > 0, 'everything’s log for a');
  await a!.client.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
  await waitUntil(() => a!.updates.includes(doc), 'everything’s update for a');
  await a!.client.callTool({ name: 'everything__toggle-subscriber-updates', arguments: {} });
  await sleep(200);
  assert.equal(b!.logged('Received Subscribe Resource request').length, 0, 'b saw a’s subscription being logged');
  assert.equal(c!.logged('Received Subscribe Resource request').length, 0, 'c saw a’s subscription being logged');
  assert.ok(!b!.updates.includes(doc) && !c!.updates.includes(doc));
  assert.equal(a!.logged('Received Subscribe Resource request')[0]!.logger, 'everything');
  await Promise.all([a, b, c].map((s) => end(s!)));
});

test('log levels and delivery: own requests’ logs to their session only, server logs to all, contested ones withheld', async (t) => {
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => Session.open(h, { name })));
  const scoped = await Session.open(h, { path: '/mcp/twin', name: 'scoped' });
  await a!.client.setLoggingLevel('error');
  await b!.client.setLoggingLevel('debug');
  const levels = lines('twin', 'level ');
  assert.equal(levels.at(-1), 'level debug', 'the upstream is not at the most verbose level asked for');
  const bad = asMcpError((await timed(() => a!.client.setLoggingLevel('banana' as 'debug'))).error);
  assert.equal(bad.code, -32602);

  // Logged while a's call runs: a's alone, filtered by a's level.
  await a!.client.callTool({ name: 'twin__log', arguments: { text: 'mine-a', levels: ['debug', 'info', 'error'] } });
  await c!.client.callTool({ name: 'twin__log', arguments: { text: 'mine-c', levels: ['debug', 'error'] } });
  await waitUntil(() => a!.logged('mine-a').length === 1 && c!.logged('mine-c').length === 2, 'own logs');
  assert.deepEqual(
    a!.logged('mine-a').map((l) => [l.level, l.logger, l.data]),
    [['error', 'twin/twin-logger', 'mine-a (error)']],
  );
  // Logged when nobody is waiting on the server: everyone who sees it, each by its own level.
  await a!.client.callTool({ name: 'twin__log-later', arguments: { text: 'for-all', level: 'info', delayMs: 200 } });
  await waitUntil(
    () => [b, c, scoped].every((s) => s!.logged('for-all').length > 0),
    'the server log at every session',
  );
  assert.equal(scoped.logged('for-all')[0]!.logger, 'twin-logger', 'a scoped session sees the server’s own logger');
  // Logged while two sessions wait on the server: nobody can be sure it is theirs.
  const calls = [a, b].map((s) => s!.client.callTool({ name: 'twin__sleep', arguments: { ms: 1_200 } }));
  await sleep(150);
  await c!.client.callTool({ name: 'twin__log-later', arguments: { text: 'contested', level: 'error', delayMs: 300 } });
  await Promise.all(calls);
  await sleep(200);
  for (const s of [a, b, c, scoped]) assert.equal(s!.logged('contested').length, 0, 'a contested log was delivered');
  await sleep(100);
  assert.equal(a!.logged('mine-c').length + b!.logged('mine-c').length + b!.logged('mine-a').length, 0);
  assert.equal(a!.logged('for-all').length, 0, 'a’s level (error) let an info message through');
  report(t, 'log messages seen by a, b, c, scoped', [a, b, c, scoped].map((s) => s!.logs.length).join(', '));

  // When the most verbose session leaves, the upstream follows the rest.
  await end(b!);
  await waitUntil(() => lines('twin', 'level ').at(-1) === 'level error', 'the upstream back at error');
  await Promise.all([a, c, scoped].map((s) => end(s!)));
  await waitUntil(() => lines('twin', 'level ').at(-1) === 'level debug', 'the upstream back at everything');
});
