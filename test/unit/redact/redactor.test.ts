import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redactor } from '../../../main/redact/redactor.ts';

const VALUE = 'hunter2-very-secret';

test('a known value is masked raw, JSON-escaped, base64 and base64url, with its label', () => {
  const r = new Redactor();
  r.add(VALUE, 'secret DB');
  assert.equal(r.redact(`password=${VALUE};`), 'password=[redacted: secret DB];');
  const quoted = 'say "hi"\\' + VALUE;
  r.add(quoted, 'secret Q');
  assert.equal(r.redact(JSON.stringify({ v: quoted })), '{"v":"[redacted: secret Q]"}');
  const b64 = Buffer.from(VALUE).toString('base64');
  assert.doesNotMatch(r.redact(`basic ${b64}`), new RegExp(b64.replace(/=+$/, '')));
  assert.doesNotMatch(r.redact(Buffer.from(VALUE).toString('base64url')), /aHVudGVy/);
});

test('credential shapes nobody registered are masked', () => {
  const r = new Redactor();
  const samples = {
    bearer: 'Authorization: Bearer abcdefghijklmnop123',
    github: 'token ghp_0123456789abcdefghijABCDEFGHIJ012345',
    pat: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
    openai: 'key sk-proj-abcdefghijklmnopqrstuvwx',
    slack: 'xoxb-123456789012-abcdefghij',
    aws: 'id AKIAIOSFODNN7EXAMPLE end',
    jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    pem: '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----',
    switchboard: 'sbt_0123456789abcdef_' + 'a'.repeat(43),
  };
  for (const [kind, text] of Object.entries(samples)) {
    const out = r.redact(text);
    assert.match(out, /\[redacted: [^\]]+\]/, `${kind}: ${out}`);
  }
  assert.doesNotMatch(r.redact(samples.pem), /MIIEow/);
  assert.doesNotMatch(r.redact(samples.aws), /AKIA/);
  assert.equal(r.redact('nothing secret here: sk-short, Bearer x'), 'nothing secret here: sk-short, Bearer x');
});

test('JSON is redacted deeply; keys stay; base64 blobs lose only known values', () => {
  const r = new Redactor();
  r.add(VALUE, 'secret DB');
  const message = {
    jsonrpc: '2.0',
    id: 1,
    result: {
      content: [
        { type: 'text', text: `the key is ${VALUE}` },
        { type: 'image', data: 'AKIAIOSFODNN7EXAMPLE+base64', mimeType: 'image/png' },
      ],
      structuredContent: { [VALUE.slice(0, 3)]: VALUE },
    },
  };
  const out = r.redactJson(message);
  assert.equal(out.result.content[0]!.text, 'the key is [redacted: secret DB]');
  assert.equal((out.result.content[1] as { data: string }).data, 'AKIAIOSFODNN7EXAMPLE+base64');
  assert.deepEqual(out.result.structuredContent, { hun: '[redacted: secret DB]' });
  assert.notEqual(out, message, 'a copy, the input untouched');
  assert.equal(message.result.content[0]!.text, `the key is ${VALUE}`);
});

test('the longer of two overlapping values is masked whole; short values are not masked at all', () => {
  const r = new Redactor();
  r.add('abcdefgh', 'secret SHORT');
  r.add('abcdefgh-and-more', 'secret LONG');
  r.add('abc', 'secret TINY');
  assert.equal(
    r.redact('x abcdefgh-and-more y abcdefgh z abc'),
    'x [redacted: secret LONG] y [redacted: secret SHORT] z abc',
  );
});

test('headers are masked by name and by content', () => {
  const r = new Redactor();
  r.add(VALUE, 'secret DB');
  assert.deepEqual(r.redactHeaders({ Authorization: 'Basic Zm9v', 'X-Custom': `v=${VALUE}`, Accept: 'json' }), {
    Authorization: '[redacted: header]',
    'X-Custom': 'v=[redacted: secret DB]',
    Accept: 'json',
  });
});

test('JSON with nothing to mask comes back as the same object, allocated once', () => {
  const r = new Redactor();
  r.add('hunter2-very-secret', 'secret DB');
  const message = { jsonrpc: '2.0', id: 3, result: { content: [{ type: 'text', text: 'x'.repeat(1_000_000) }] } };
  assert.equal(r.redactJson(message), message);
});
