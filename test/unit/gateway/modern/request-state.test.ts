import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerContext } from '@modelcontextprotocol/server';
import { RequestStateSeal, bindingAuthInfo, requestBinding } from '../../../../main/gateway/modern/request-state.ts';

/** The part of a handler's context the seal reads: the binding the transport was given. */
function contextOf(tokenId: string, binding: string): ServerContext {
  return { http: { authInfo: bindingAuthInfo(tokenId, () => binding) } } as unknown as ServerContext;
}

const call = (args: Record<string, unknown>) =>
  requestBinding('tok-a', 'fx', 'tools/call', { name: 'ask', arguments: args });

test('a state verifies for the request it was minted for, and says which flow and round', async () => {
  const seal = new RequestStateSeal(60_000);
  const binding = call({ a: 1 });
  const state = await seal.mint({ flow: 'f1', round: 2 }, contextOf('tok-a', binding));
  assert.deepEqual(await seal.verify(state, contextOf('tok-a', binding)), { flow: 'f1', round: 2 });
});

test('a tampered state is refused, however it was changed', async () => {
  const seal = new RequestStateSeal(60_000);
  const ctx = contextOf('tok-a', call({}));
  const state = await seal.mint({ flow: 'f1', round: 1 }, ctx);
  const [version, body, mac] = state.split('.') as [string, string, string];
  // Another flow's id in an otherwise well-formed body, under the old MAC.
  const forged = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), p: { flow: 'f2', round: 1 } }),
  ).toString('base64url');
  for (const tampered of [`${state}-TAMPERED`, `${version}.${forged}.${mac}`, `${version}.${body}.${mac.slice(1)}x`]) {
    await assert.rejects(seal.verify(tampered, ctx), /mac|malformed/, tampered);
  }
  // Another process (another key) minted it.
  await assert.rejects(new RequestStateSeal(60_000).verify(state, ctx), /mac/);
});

test('a state is bound to its token and its request: another token, tool, endpoint or arguments cannot use it', async () => {
  const seal = new RequestStateSeal(60_000);
  const binding = call({ a: 1 });
  const state = await seal.mint({ flow: 'f1', round: 1 }, contextOf('tok-a', binding));
  const others = [
    requestBinding('tok-b', 'fx', 'tools/call', { name: 'ask', arguments: { a: 1 } }),
    requestBinding('tok-a', 'fx', 'tools/call', { name: 'other', arguments: { a: 1 } }),
    requestBinding('tok-a', null, 'tools/call', { name: 'ask', arguments: { a: 1 } }),
    requestBinding('tok-a', 'fx', 'prompts/get', { name: 'ask', arguments: { a: 1 } }),
    call({ a: 2 }),
  ];
  for (const other of others) await assert.rejects(seal.verify(state, contextOf('tok-a', other)), /bind/);
});

test('the same arguments bind the same whatever their key order', () => {
  assert.equal(call({ a: 1, b: { c: 2, d: [1, 2] } }), call({ b: { d: [1, 2], c: 2 }, a: 1 }));
  assert.notEqual(call({ a: 1 }), call({ a: '1' }));
  // Arguments left out are no arguments.
  assert.equal(requestBinding('tok-a', 'fx', 'tools/call', { name: 'ask' }), call({}));
});

test('a state is refused once its time to live is over', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const seal = new RequestStateSeal(5_000);
  const ctx = contextOf('tok-a', call({}));
  const state = await seal.mint({ flow: 'f1', round: 1 }, ctx);
  t.mock.timers.tick(4_000);
  assert.deepEqual(await seal.verify(state, ctx), { flow: 'f1', round: 1 });
  t.mock.timers.tick(2_000);
  await assert.rejects(seal.verify(state, ctx), /expired/);
});
