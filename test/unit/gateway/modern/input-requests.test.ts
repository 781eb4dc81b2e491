import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  INPUT_KEY_META,
  answerProblem,
  embeddedRequest,
  hintedKey,
  missingCapabilities,
  requiredCapabilities,
} from '../../../../main/gateway/modern/input-requests.ts';

test('each kind of request needs its capability; modes and tools need theirs', () => {
  const missing = (
    method: Parameters<typeof requiredCapabilities>[0],
    params: Record<string, unknown>,
    declared: object,
  ) => missingCapabilities(requiredCapabilities(method, params), declared);
  assert.deepEqual(missing('sampling/createMessage', {}, {}), { sampling: {} });
  assert.equal(missing('sampling/createMessage', {}, { sampling: {} }), null);
  assert.deepEqual(missing('sampling/createMessage', { tools: [] }, { sampling: {} }), { sampling: { tools: {} } });
  assert.equal(missing('roots/list', {}, { roots: { listChanged: true } }), null);
  assert.deepEqual(missing('roots/list', {}, { sampling: {} }), { roots: {} });
  // A bare `elicitation: {}` is form mode (its 2025 meaning); naming a mode removes that reading.
  assert.equal(missing('elicitation/create', { message: 'x' }, { elicitation: {} }), null);
  assert.deepEqual(missing('elicitation/create', { message: 'x' }, { elicitation: { url: {} } }), {
    elicitation: { form: {} },
  });
  assert.deepEqual(missing('elicitation/create', { mode: 'url' }, { elicitation: {} }), { elicitation: { url: {} } });
  assert.equal(missing('elicitation/create', { mode: 'url' }, { elicitation: { url: {} } }), null);
});

test('the upstream may name its key; only a plain identifier is taken, and the hint is not shown', () => {
  assert.equal(hintedKey({ _meta: { [INPUT_KEY_META]: 'user_name' } }), 'user_name');
  assert.equal(hintedKey({ _meta: { [INPUT_KEY_META]: 'no spaces please' } }), null);
  assert.equal(hintedKey({ _meta: { [INPUT_KEY_META]: 7 } }), null);
  assert.equal(hintedKey(undefined), null);
  assert.deepEqual(embeddedRequest('elicitation/create', { message: 'm', _meta: { [INPUT_KEY_META]: 'k' } }), {
    method: 'elicitation/create',
    params: { message: 'm' },
  });
  assert.deepEqual(embeddedRequest('roots/list', { _meta: { [INPUT_KEY_META]: 'k', other: 1 } }), {
    method: 'roots/list',
    params: { _meta: { other: 1 } },
  });
  assert.deepEqual(embeddedRequest('roots/list', undefined), { method: 'roots/list' });
  // 2026-07-28 has no elicitationId: a URL-mode elicitation is shown without it, a form one is left as it is.
  const url = { mode: 'url', message: 'm', url: 'https://example.test/', elicitationId: 'e-1' };
  assert.deepEqual(embeddedRequest('elicitation/create', url), {
    method: 'elicitation/create',
    params: { mode: 'url', message: 'm', url: 'https://example.test/' },
  });
  assert.equal(url.elicitationId, 'e-1', 'the upstream’s own request keeps it');
});

test('an answer must be a result of its request’s kind', () => {
  assert.equal(answerProblem('elicitation/create', {}, { action: 'accept', content: { name: 'A' } }), null);
  assert.match(answerProblem('elicitation/create', {}, { action: 'maybe' }) ?? '', /not a elicitation\/create result/);
  assert.match(answerProblem('elicitation/create', {}, 12345) ?? '', /not a elicitation\/create result/);
  const sampled = { role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'm' };
  assert.equal(answerProblem('sampling/createMessage', {}, sampled), null);
  assert.match(answerProblem('sampling/createMessage', {}, { roots: [] }) ?? '', /sampling\/createMessage/);
  assert.equal(answerProblem('roots/list', {}, { roots: [{ uri: 'file:///r' }] }), null);
  assert.match(answerProblem('roots/list', {}, { roots: 'no' }) ?? '', /at roots/);
});
