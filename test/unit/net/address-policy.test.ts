import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyAddress, isLoopbackAddress, refusal, unmapped } from '../../../main/net/address-policy.ts';

test('link-local and metadata addresses, in every spelling a URL can carry', () => {
  for (const url of [
    'http://169.254.169.254/latest',
    'http://[fe80::1]/',
    'http://[fd00:ec2::254]/',
    'http://[::ffff:169.254.169.254]/',
    'http://2852039166/', // 169.254.169.254 as one number
    'http://0xa9fea9fe/',
    'http://100.100.100.200/',
  ]) {
    const host = new URL(url).hostname;
    assert.equal(classifyAddress(host), 'metadata', `${url} → ${host}`);
    assert.ok(refusal(host, 'no-metadata') !== null, url);
    assert.equal(refusal(host, 'any'), null);
  }
});

test('loopback and private ranges are internal: allowed for servers, refused where only public will do', () => {
  for (const url of [
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://[::1]/',
    'http://10.1.2.3/',
    'http://172.20.0.1/',
    'http://192.168.1.1/',
    'http://[fc00::1]/',
    'http://[::ffff:127.0.0.1]/',
  ]) {
    const host = new URL(url).hostname;
    assert.equal(classifyAddress(host), 'internal', `${url} → ${host}`);
    assert.equal(refusal(host, 'no-metadata'), null, url);
    assert.match(refusal(host, 'public-only')!, /private or loopback/);
  }
  assert.equal(classifyAddress('93.184.216.34'), 'public');
  assert.equal(classifyAddress('2606:2800:220:1::1'), 'public');
});

test('IPv4-mapped IPv6, dotted or hex, is judged as the IPv4 address it carries', () => {
  assert.equal(unmapped('::ffff:10.0.0.1'), '10.0.0.1');
  assert.equal(unmapped('[::ffff:a9fe:a9fe]'), '169.254.169.254');
  assert.equal(unmapped('fe80::1'), 'fe80::1');
});

test("loopback: 127.0.0.0/8 and ::1 in any spelling a URL or a resolver gives; nothing else is this machine's", () => {
  for (const url of [
    'http://127.0.0.1/',
    'http://127.9.8.7/',
    'http://2130706433/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
  ]) {
    assert.equal(isLoopbackAddress(new URL(url).hostname), true, url);
  }
  for (const address of ['10.0.0.1', '0.0.0.0', '::', '::2', '169.254.169.254', 'localhost', '128.0.0.1']) {
    assert.equal(isLoopbackAddress(address), false, address);
  }
});
