import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSafeIconSrc, withSafeIcons } from '../../../../main/gateway/aggregate/icon-urls.ts';
import { mapToolResult } from '../../../../main/gateway/aggregate/content-uris.ts';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const SVG = 'data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A//www.w3.org/2000/svg%22/%3E';

test('T65 only https URLs and data: images are safe icon sources', () => {
  for (const src of ['https://example.com/icon.png', PNG, SVG]) assert.equal(isSafeIconSrc(src), true, src);
  const unsafe = [
    'javascript:alert(1)',
    ' JavaScript:alert(1)',
    'java\tscript:alert(1)',
    'file:///etc/passwd',
    'ftp://example.com/icon.png',
    'ws://127.0.0.1:7345/',
    'wss://example.com/',
    'http://example.com/icon.png',
    'vscode://settings',
    'cursor://anything',
    'data:text/html,<script>alert(1)</script>',
    'data:,plain',
    '/relative/icon.png',
    '//example.com/icon.png',
    '',
    42,
    null,
  ];
  for (const src of unsafe) assert.equal(isSafeIconSrc(src), false, String(src));
});

test('T65 an item keeps its safe icons, loses the others, and loses the field when none is left', () => {
  const item = {
    name: 'read',
    icons: [
      { src: 'javascript:alert(1)' },
      { src: 'https://example.com/a.png', sizes: ['48x48'] },
      { src: 'file:///x' },
    ],
  };
  assert.deepEqual(withSafeIcons(item), {
    name: 'read',
    icons: [{ src: 'https://example.com/a.png', sizes: ['48x48'] }],
  });
  assert.deepEqual(withSafeIcons({ name: 'x', icons: [{ src: 'ftp://h/i' }, 'nonsense'] }), { name: 'x' });
  assert.deepEqual(withSafeIcons({ name: 'x', icons: 'javascript:alert(1)' }), { name: 'x' });
  const clean = { name: 'y', icons: [{ src: PNG }] };
  assert.equal(withSafeIcons(clean), clean);
  const none = { name: 'z' };
  assert.equal(withSafeIcons(none), none);
});

test('T65 resource links in tool results lose unsafe icons', () => {
  const result = {
    content: [
      { type: 'resource_link', uri: 'file:///a', name: 'a', icons: [{ src: 'javascript:x' }, { src: PNG }] },
      { type: 'text', text: 'icons: javascript:x' },
    ],
  };
  assert.deepEqual(mapToolResult(result, (uri) => uri).content, [
    { type: 'resource_link', uri: 'file:///a', name: 'a', icons: [{ src: PNG }] },
    { type: 'text', text: 'icons: javascript:x' },
  ]);
});
