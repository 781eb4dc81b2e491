// The flows of 2026-07-28 requests whose upstream asks its client something, against a scripted upstream: what the
// client is shown, what the upstream gets back, and when the waiting ends. Nothing here reads the wall clock:
// order is told by event-loop turns (settled.ts) and time by mock timers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClientCapabilities } from '@modelcontextprotocol/server';
import { CallError } from '../../../../main/gateway/aggregate/call-error.ts';
import { InputFlow, MAX_HELD, type InputExchange } from '../../../../main/gateway/modern/input-flow.ts';
import { InputFlows, type FlowOutcome } from '../../../../main/gateway/modern/input-flows.ts';
import type { DispatchCall } from '../../../../main/gateway/modern/legacy-dispatch.ts';
import { settlesWithin } from '../../../helpers/settled.ts';

const EVERYTHING: ClientCapabilities = { sampling: {}, elicitation: {}, roots: {} };
const OWNER = { tokenId: 'tok-a', binding: 'call ask' };

type Ask = (method: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** A scripted upstream: what it asks and answers; records its cancellation and what it was told. */
function upstream(script: (ask: Ask) => Promise<Record<string, unknown>>) {
  const seen = { cancelled: null as string | null, refused: [] as CallError[] };
  let id = 0;
  const send = (call: DispatchCall): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      call.signal.addEventListener('abort', () => {
        seen.cancelled = String(call.signal.reason);
        reject(new CallError(-32603, 'cancelled'));
      });
      const ask: Ask = (method, params) =>
        call.ask!({ jsonrpc: '2.0', id: ++id, method, params }, new AbortController().signal).catch((error) => {
          seen.refused.push(error as CallError);
          throw error;
        });
      script(ask).then(resolve, reject);
    });
  return { send, seen };
}

function exchange(more: Partial<InputExchange> = {}): InputExchange {
  return {
    signal: new AbortController().signal,
    capabilities: EVERYTHING,
    inputResponses: undefined,
    droppedKeys: [],
    notify: async () => {},
    ...more,
  };
}

const named = (key: string, message = key) => ({ message, _meta: { 'dev.switchboard/inputKey': key } });
const accept = (content: Record<string, unknown>) => ({ action: 'accept', content });

function asInput(outcome: FlowOutcome) {
  if (outcome.kind !== 'input') throw new Error(`expected input_required, got ${JSON.stringify(outcome)}`);
  return outcome;
}

function holds() {
  const counts = { held: 0, released: 0 };
  return {
    counts,
    hold: () => {
      counts.held += 1;
      return () => (counts.released += 1);
    },
  };
}

test('what the upstream asks comes back as inputRequests; the retry’s answer goes upstream and the result follows', async () => {
  const flows = new InputFlows({ waitMs: 60_000, maxPerToken: 4, gatherMs: 0 });
  let answer: Promise<Record<string, unknown>> | null = null;
  const up = upstream(async (ask) => {
    answer = ask('elicitation/create', named('user_name', 'What is your name?'));
    const { content } = (await answer) as { content: { name: string } };
    return { content: [{ type: 'text', text: `Hello, ${content.name}!` }] };
  });
  const { counts, hold } = holds();
  const first = asInput(await flows.start(OWNER, up.send, exchange(), hold));
  assert.deepEqual(first.inputRequests, {
    user_name: { method: 'elicitation/create', params: { message: 'What is your name?' } },
  });
  assert.deepEqual(first.state, { flow: first.state.flow, round: 1 });
  assert.equal(flows.size, 1);
  assert.equal(counts.held, 1, 'the session server is kept while the flow waits');
  assert.equal(await settlesWithin(answer!), false, 'the upstream waits for the client');

  const done = await flows.resume(
    first.state,
    OWNER,
    exchange({ inputResponses: { user_name: accept({ name: 'Alice' }), extra: { ignored: true } } }),
  );
  assert.deepEqual(done, { kind: 'complete', result: { content: [{ type: 'text', text: 'Hello, Alice!' }] } });
  assert.equal(flows.size, 0);
  assert.equal(counts.released, 1);
  await assert.rejects(flows.resume(first.state, OWNER, exchange()), /Invalid or expired requestState/);
});

test('requests made together are one round; a missing answer is asked again; later requests are later rounds', async () => {
  const flows = new InputFlows({ waitMs: 60_000, maxPerToken: 4, gatherMs: 0 });
  const up = upstream(async (ask) => {
    const [a, b] = await Promise.all([ask('elicitation/create', named('a')), ask('roots/list', named('b'))]);
    const c = await ask('sampling/createMessage', { messages: [], maxTokens: 5 });
    return { got: [a, b, c] };
  });
  const r1 = asInput(await flows.start(OWNER, up.send, exchange(), holds().hold));
  assert.deepEqual(Object.keys(r1.inputRequests), ['a', 'b']);

  const r2 = asInput(await flows.resume(r1.state, OWNER, exchange({ inputResponses: { a: accept({}) } })));
  assert.deepEqual(Object.keys(r2.inputRequests), ['b'], 'asked again, not forgotten');
  assert.equal(r2.state.round, 2);
  await assert.rejects(flows.resume(r1.state, OWNER, exchange()), /already used/, 'an old round’s state is spent');

  const r3 = asInput(await flows.resume(r2.state, OWNER, exchange({ inputResponses: { b: { roots: [] } } })));
  assert.deepEqual(r3.inputRequests, {
    'sampling-1': { method: 'sampling/createMessage', params: r3.inputRequests['sampling-1']!.params },
  });
  const sampled = { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' };
  const done = await flows.resume(r3.state, OWNER, exchange({ inputResponses: { 'sampling-1': sampled } }));
  assert.deepEqual(done, { kind: 'complete', result: { got: [accept({}), { roots: [] }, sampled] } });
});

test('an answer that is not a result of its kind refuses the retry and leaves the flow waiting at its round', async () => {
  const flows = new InputFlows({ waitMs: 60_000, maxPerToken: 4, gatherMs: 0 });
  const up = upstream(async (ask) => ({ answer: await ask('elicitation/create', named('confirm')) }));
  const first = asInput(await flows.start(OWNER, up.send, exchange(), holds().hold));
  await assert.rejects(
    flows.resume(first.state, OWNER, exchange({ inputResponses: { confirm: { action: 'maybe' } } })),
    (error: unknown) =>
      error instanceof CallError && error.code === -32602 && /inputResponses\["confirm"\]/.test(error.message),
  );
  await assert.rejects(
    flows.resume(first.state, OWNER, exchange({ droppedKeys: ['confirm'] })),
    /not a bare elicitation\/create result/,
  );
  assert.equal(up.seen.cancelled, null);
  const done = await flows.resume(first.state, OWNER, exchange({ inputResponses: { confirm: accept({ ok: true }) } }));
  assert.deepEqual(done, { kind: 'complete', result: { answer: accept({ ok: true }) } });
});

test('a request the client did not declare the capability for: the upstream hears -32021 naming it, the client nothing', async () => {
  const flows = new InputFlows({ waitMs: 60_000, maxPerToken: 4, gatherMs: 0 });
  const up = upstream(async (ask) => {
    const results = await Promise.allSettled([
      ask('sampling/createMessage', named('s')),
      ask('elicitation/create', named('e')),
    ]);
    return { statuses: results.map((r) => r.status) };
  });
  const first = asInput(
    await flows.start(OWNER, up.send, exchange({ capabilities: { elicitation: {} } }), holds().hold),
  );
  assert.deepEqual(Object.keys(first.inputRequests), ['e']);
  assert.equal(up.seen.refused.length, 1);
  assert.equal(up.seen.refused[0]!.code, -32021);
  assert.deepEqual(up.seen.refused[0]!.data, { requiredCapabilities: { sampling: {} } });
  assert.match(up.seen.refused[0]!.message, /does not support sampling/);

  // A retry declares its own capabilities: one that no longer declares elicitation has its request refused too.
  const up2 = upstream(async (ask) => ({
    got: await ask('elicitation/create', named('e')).catch((e: CallError) => e.code),
  }));
  const again = asInput(await flows.start(OWNER, up2.send, exchange(), holds().hold));
  const done = await flows.resume(again.state, OWNER, exchange({ capabilities: {} }));
  assert.deepEqual(done, { kind: 'complete', result: { got: -32021 } });
});

test('a flow not retried in time is cancelled upstream, its requests withdrawn, its state refused', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const flows = new InputFlows({ waitMs: 1_000, maxPerToken: 4, gatherMs: 5 });
  let asked: Promise<unknown> | null = null;
  const up = upstream(async (ask) => {
    asked = ask('roots/list', named('roots'));
    return { roots: await asked };
  });
  const { counts, hold } = holds();
  const started = flows.start(OWNER, up.send, exchange(), hold);
  assert.equal(await settlesWithin(started), false, 'a round is answered once the upstream has been quiet');
  t.mock.timers.tick(5);
  const first = asInput(await started);

  t.mock.timers.tick(999);
  assert.equal(await settlesWithin(asked!), false);
  assert.equal(up.seen.cancelled, null, 'still waiting just before the limit');
  t.mock.timers.tick(1);
  assert.equal(await settlesWithin(asked!), true, 'the upstream’s request is answered (with an error)');
  assert.match(up.seen.cancelled ?? '', /gateway\.inputWaitMs \(1000 ms\)/);
  assert.equal(flows.size, 0);
  assert.equal(counts.released, 1);
  await assert.rejects(
    flows.resume(first.state, OWNER, exchange({ inputResponses: { roots: { roots: [] } } })),
    (error: unknown) =>
      error instanceof CallError &&
      error.code === -32602 &&
      (error.data as { reason: string }).reason === 'invalid_request_state' &&
      /inputWaitMs/.test(error.message),
  );
});

test('a token holds at most maxPerToken waiting flows: the next is cancelled upstream and refused, naming the limit', async () => {
  const flows = new InputFlows({ waitMs: 60_000, maxPerToken: 1, gatherMs: 0 });
  const asking = () => upstream(async (ask) => ({ got: await ask('roots/list') }));
  const first = asking();
  asInput(await flows.start(OWNER, first.send, exchange(), holds().hold));
  const second = asking();
  await assert.rejects(
    flows.start(OWNER, second.send, exchange(), holds().hold),
    (error: unknown) =>
      error instanceof CallError &&
      (error.data as { limit: string }).limit === 'maxWaitingInputs' &&
      /maxWaitingInputs/.test(error.message),
  );
  assert.match(second.seen.cancelled ?? '', /too many/);
  assert.equal(first.seen.cancelled, null);
  // Another client's flows are its own.
  asInput(await flows.start({ tokenId: 'tok-b', binding: 'x' }, asking().send, exchange(), holds().hold));
  assert.equal(flows.size, 2);
});

test('a flow continues only for its owner and its request, one retry at a time', async () => {
  const flows = new InputFlows({ waitMs: 60_000, maxPerToken: 4, gatherMs: 0 });
  const up = upstream(async (ask) => ({ got: await ask('roots/list', named('r')) }));
  const first = asInput(await flows.start(OWNER, up.send, exchange(), holds().hold));
  for (const stranger of [
    { ...OWNER, tokenId: 'tok-b' },
    { ...OWNER, binding: 'call other' },
  ]) {
    await assert.rejects(flows.resume(first.state, stranger, exchange()), /names no request waiting/);
  }
  // A retry without the answer is being served (it asks again once gathering ends); a second one meanwhile is refused.
  const pending = flows.resume(first.state, OWNER, exchange({ inputResponses: {} }));
  await assert.rejects(flows.resume(first.state, OWNER, exchange()), /already used/);
  const again = asInput(await pending);
  assert.deepEqual(Object.keys(again.inputRequests), ['r']);
  assert.equal(up.seen.cancelled, null);
});

test('closing the client’s request cancels the flow upstream; a revoked token’s flows are cancelled', async () => {
  const flows = new InputFlows({ waitMs: 60_000, maxPerToken: 4, gatherMs: 0 });
  const up = upstream(async (ask) => ({ got: await ask('roots/list') }));
  const first = asInput(await flows.start(OWNER, up.send, exchange(), holds().hold));
  const closing = new AbortController();
  const retried = flows.resume(first.state, OWNER, exchange({ signal: closing.signal, inputResponses: {} }));
  closing.abort();
  await assert.rejects(retried);
  assert.match(up.seen.cancelled ?? '', /client closed its request/);
  assert.equal(flows.size, 0);

  const other = upstream(async (ask) => ({ got: await ask('roots/list') }));
  asInput(await flows.start(OWNER, other.send, exchange(), holds().hold));
  flows.dropTokens((tokenId) => tokenId !== OWNER.tokenId);
  assert.match(other.seen.cancelled ?? '', /revoked/);
  assert.equal(flows.size, 0);
});

test('an answer the request already carries, under the key the upstream then uses, is taken as given', async () => {
  const flows = new InputFlows({ waitMs: 60_000, maxPerToken: 4, gatherMs: 0 });
  const up = upstream(async (ask) => ({ got: await ask('elicitation/create', named('user_name')) }));
  const done = await flows.start(
    OWNER,
    up.send,
    exchange({ inputResponses: { user_name: accept({ name: 'Alice' }), unknown: accept({}) } }),
    holds().hold,
  );
  assert.deepEqual(done, { kind: 'complete', result: { got: accept({ name: 'Alice' }) } });
  // Not a valid answer: the request is shown instead.
  const up2 = upstream(async (ask) => ({ got: await ask('elicitation/create', named('user_name')) }));
  const shown = await flows.start(OWNER, up2.send, exchange({ inputResponses: { user_name: 12345 } }), holds().hold);
  assert.equal(shown.kind, 'input');
});

test('what the upstream reports while parked goes to the retry first: the latest progress, the rest bounded', async () => {
  const flow = new InputFlow({ gatherMs: 0, maxAsks: 16 });
  let call!: DispatchCall;
  // Served from the start, as InputFlows does: the upstream's request meets a request of the client.
  const serving = flow.run(exchange());
  flow.begin((given) => {
    call = given;
    const answer = given.ask!({ jsonrpc: '2.0', id: 1, method: 'roots/list' }, new AbortController().signal);
    return answer.then(() => ({ content: [] }));
  });
  assert.equal((await serving).kind, 'input');

  const progress = (n: number) => ({
    jsonrpc: '2.0' as const,
    method: 'notifications/progress',
    params: { progressToken: 't', progress: n },
  });
  const log = (data: string) => ({
    jsonrpc: '2.0' as const,
    method: 'notifications/message',
    params: { level: 'info', data },
  });
  await call.notify(progress(1));
  await call.notify(log('a'));
  await call.notify(progress(2));
  for (let i = 0; i < MAX_HELD; i++) await call.notify(log(`filler-${i}`));
  assert.equal(flow.heldDropped, 1, 'one log message past the bound');

  const seen: unknown[] = [];
  const done = await flow.run(
    exchange({
      inputResponses: { 'roots-1': { roots: [] } },
      notify: (notification) => {
        seen.push(notification.method === 'notifications/progress' ? notification.params : notification.params?.data);
        return Promise.resolve();
      },
    }),
  );
  assert.equal(done.kind, 'complete');
  assert.deepEqual(seen.slice(0, 3), ['a', { progressToken: 't', progress: 2 }, 'filler-0']);
  assert.equal(seen.length, MAX_HELD + 1, 'the latest progress and MAX_HELD log messages');
  assert.equal(seen.filter((s) => typeof s === 'object').length, 1, 'progress 1 was superseded');
});
