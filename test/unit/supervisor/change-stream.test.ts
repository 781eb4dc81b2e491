import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { McpSubscription, SubscriptionFilter } from '@modelcontextprotocol/client';
import { ChangeStream } from '../../../main/supervisor/change-stream.ts';

type End = 'local' | 'graceful' | 'remote';

/** A subscription whose end the test decides. */
function subscription(honoredFilter: SubscriptionFilter = { toolsListChanged: true }): {
  sub: McpSubscription;
  end: (why: End) => void;
  closes: () => number;
} {
  let end!: (why: End) => void;
  const closed = new Promise<End>((resolve) => (end = resolve));
  let closes = 0;
  const sub: McpSubscription = {
    honoredFilter,
    closed,
    close: () => {
      closes += 1;
      end('local');
      return Promise.resolve();
    },
  };
  return { sub, end, closes: () => closes };
}

/** A ChangeStream whose `open` answers from `script`, in order; `missed` and errors are recorded. */
function harness(script: (() => McpSubscription | Error)[], retry = { firstMs: 1, maxMs: 4 }) {
  const opened: SubscriptionFilter[] = [];
  const missed: SubscriptionFilter[] = [];
  const errors: string[] = [];
  let wake: (() => void) | null = null;
  const changed = (): void => {
    wake?.();
    wake = null;
  };
  const stream = new ChangeStream({
    filter: { toolsListChanged: true },
    timeoutMs: 1_000,
    retry,
    open: (filter) => {
      opened.push(filter);
      const next = script.shift()?.() ?? new Error('script ran out');
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    missed: (filter) => {
      missed.push(filter);
      changed();
    },
    onError: (error) => {
      errors.push(error.message);
      changed();
    },
  });
  const until = async (done: () => boolean): Promise<void> => {
    while (!done()) await new Promise<void>((resolve) => (wake = resolve));
  };
  return { stream, opened, missed, errors, until };
}

test('an end that was not ours opens a new stream, after failed tries, and says changes were missed', async () => {
  const first = subscription();
  const second = subscription();
  const h = harness([() => first.sub, () => new Error('down'), () => new Error('still down'), () => second.sub]);
  await h.stream.open();
  assert.equal(h.opened.length, 1);
  assert.deepEqual(h.missed, [], 'nothing is missed while the first stream is open');

  first.end('remote');
  await h.until(() => h.missed.length === 1);
  assert.deepEqual(h.errors, ['down', 'still down'], 'each failed try is reported, and tried again');
  assert.equal(h.opened.length, 4);
  assert.deepEqual(h.missed, [{ toolsListChanged: true }]);

  await h.stream.close();
  assert.equal(second.closes(), 1, 'close ends the stream that is open');
});

test('a stream we close, or one the server ends after close, is not opened again', async () => {
  const only = subscription();
  const h = harness([() => only.sub]);
  await h.stream.open();
  await h.stream.close();
  only.end('remote');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(h.opened.length, 1);
  assert.deepEqual([h.missed, h.errors], [[], []]);
});

test('the first stream refused is the caller’s to hear about', async () => {
  const h = harness([() => new Error('no listen here')]);
  await assert.rejects(h.stream.open(), /no listen here/);
});

test('a new filter opens its stream before the old one closes, and answers what the server acknowledged', async () => {
  const first = subscription();
  const watched = { resourceSubscriptions: ['note://a'] };
  const second = subscription(watched);
  const h = harness([() => first.sub, () => second.sub]);
  await h.stream.open();
  let closedBeforeOpen = false;
  const opened = h.stream.replace(watched).then((honoured) => {
    closedBeforeOpen = first.closes() === 1 && h.opened.length === 2;
    return honoured;
  });
  assert.deepEqual(await opened, watched);
  assert.ok(closedBeforeOpen, 'the old stream was closed after the new one was acknowledged');
  assert.deepEqual(h.opened, [{ toolsListChanged: true }, watched]);
  // The old stream ending now concerns nobody: nothing is opened again.
  first.end('remote');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(h.opened.length, 2);
  await h.stream.close();
  assert.equal(second.closes(), 1);
});

test('a refused new filter keeps the stream there was; an empty one ends it', async () => {
  const first = subscription();
  const h = harness([() => first.sub, () => new Error('too many')]);
  await h.stream.open();
  await assert.rejects(h.stream.replace({ resourceSubscriptions: ['note://a'] }), /too many/);
  assert.equal(first.closes(), 0, 'still listening as before');
  assert.deepEqual(await h.stream.replace({}), {});
  assert.equal(first.closes(), 1);
  assert.equal(h.opened.length, 2, 'an empty filter opens nothing');
});

test('a new filter while the stream is down opens it at once, and says changes were missed', async () => {
  const first = subscription();
  const watched = { resourceSubscriptions: ['note://a', 'note://b'] };
  // A reopening far off, so that the new filter comes first.
  const h = harness([() => first.sub, () => subscription(watched).sub], { firstMs: 60_000, maxMs: 60_000 });
  await h.stream.open();
  first.end('remote');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(await h.stream.replace(watched), watched);
  assert.deepEqual(h.missed, [watched]);
  assert.equal(h.opened.length, 2, 'the pending reopening was dropped');
  await h.stream.close();
});
