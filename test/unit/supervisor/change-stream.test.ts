import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { McpSubscription, SubscriptionFilter } from '@modelcontextprotocol/client';
import { ChangeStream } from '../../../main/supervisor/change-stream.ts';

type End = 'local' | 'graceful' | 'remote';

/** A subscription whose end the test decides. */
function subscription(): { sub: McpSubscription; end: (why: End) => void; closes: () => number } {
  let end!: (why: End) => void;
  const closed = new Promise<End>((resolve) => (end = resolve));
  let closes = 0;
  const sub: McpSubscription = {
    honoredFilter: { toolsListChanged: true },
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
function harness(script: (() => McpSubscription | Error)[]) {
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
    retry: { firstMs: 1, maxMs: 4 },
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
