import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  mapContentBlock,
  mapPromptResult,
  mapReadResult,
  mapToolResult,
} from '../../../../main/gateway/aggregate/content-uris.ts';

const upper = (uri: string): string => `mapped:${uri}`;

test('resource links and embedded resources in a tool result are mapped; everything else is untouched', () => {
  const result = {
    content: [
      { type: 'text', text: 'file:///not-a-link' },
      {
        type: 'resource_link',
        uri: 'file:///a',
        name: 'a',
        icons: [{ src: 'https://example.com/a.png' }],
        _meta: { k: 1 },
      },
      { type: 'resource', resource: { uri: 'file:///b', text: 'b' }, annotations: { priority: 1 } },
      { type: 'image', data: 'AA==', mimeType: 'image/png' },
    ],
    structuredContent: { uri: 'file:///kept' },
    isError: false,
    _meta: { trace: 'x' },
  };
  const mapped = mapToolResult(result, upper);
  assert.deepEqual(mapped, {
    ...result,
    content: [
      result.content[0],
      {
        type: 'resource_link',
        uri: 'mapped:file:///a',
        name: 'a',
        icons: [{ src: 'https://example.com/a.png' }],
        _meta: { k: 1 },
      },
      { type: 'resource', resource: { uri: 'mapped:file:///b', text: 'b' }, annotations: { priority: 1 } },
      result.content[3],
    ],
  });
  assert.equal(result.content[1]!.uri, 'file:///a', 'the original was changed');
});

test('prompt messages and read contents are mapped', () => {
  const prompt = mapPromptResult(
    {
      description: 'd',
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: 'x://1', blob: 'AA==' } } },
        { role: 'assistant', content: { type: 'resource_link', uri: 'x://2', name: 'two' } },
        { role: 'user', content: { type: 'text', text: 'x://3' } },
      ],
    },
    upper,
  );
  assert.deepEqual(
    prompt.messages.map((m) => JSON.stringify(m.content)),
    [
      '{"type":"resource","resource":{"uri":"mapped:x://1","blob":"AA=="}}',
      '{"type":"resource_link","uri":"mapped:x://2","name":"two"}',
      '{"type":"text","text":"x://3"}',
    ],
  );
  const read = mapReadResult(
    {
      contents: [
        { uri: 'x://1', text: 't' },
        { uri: 'x://2', blob: 'AA==' },
      ],
    },
    upper,
  );
  assert.deepEqual(
    read.contents.map((c) => c.uri),
    ['mapped:x://1', 'mapped:x://2'],
  );
});

test('shapes that are not what the spec says are passed on as they are', () => {
  for (const odd of [null, 'text', 42, [], { content: 'not an array' }, { content: [null, 3, { type: 'resource' }] }]) {
    assert.deepEqual(mapToolResult(odd, upper), odd);
  }
  assert.deepEqual(mapContentBlock({ type: 'resource_link', uri: 7 }, upper), { type: 'resource_link', uri: 7 });
  assert.deepEqual(mapPromptResult({ messages: [null] }, upper), { messages: [null] });
  assert.deepEqual(mapReadResult({ contents: [{ text: 'no uri' }] }, upper), { contents: [{ text: 'no uri' }] });
});
