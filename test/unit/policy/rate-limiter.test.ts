import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RateLimit } from '../../../main/config/policy-schema.ts';
import { globMatcher } from '../../../main/policy/glob.ts';
import { kindMatchers } from '../../../main/policy/rules.ts';
import { ConcurrencyCaps, RateLimiter, type CompiledLimit } from '../../../main/policy/rate-limiter.ts';
import { TokenBucket } from '../../../main/policy/token-bucket.ts';

function limit(def: Partial<RateLimit> & Pick<RateLimit, 'calls' | 'perSeconds'>, name = 'L'): CompiledLimit {
  const full: RateLimit = { each: ['client'], ...def };
  return {
    name,
    key: name,
    limit: full,
    clients: globMatcher(full.clients),
    servers: globMatcher(full.servers),
    kinds: kindMatchers(full),
  };
}

test('a token bucket refills evenly on its clock and says how long to wait', () => {
  const bucket = new TokenBucket(2, 1 / 500, 0);
  assert.equal(bucket.waitMs(0), 0);
  bucket.take(0);
  bucket.take(0);
  assert.equal(bucket.waitMs(0), 500);
  assert.equal(bucket.waitMs(499), 1);
  assert.equal(bucket.waitMs(500), 0);
  assert.equal(bucket.isFull(500), false);
  assert.equal(bucket.isFull(5_000), true, 'never above capacity');
});

test('T22 at 5 calls per second for client a on a tool, the 6th within the second is refused; b is not', () => {
  let now = 1_000;
  const limiter = new RateLimiter(() => now);
  const limits = [limit({ clients: ['a'], tools: ['fs__t'], each: ['client', 'tool'], calls: 5, perSeconds: 1 })];
  const a = { client: 'a', server: 'fs', kind: 'tool', name: 'fs__t' } as const;
  for (let i = 0; i < 5; i++) assert.deepEqual(limiter.take(limits, a), { ok: true }, `call ${i + 1}`);
  now += 100;
  const sixth = limiter.take(limits, a);
  assert.equal(sixth.ok, false);
  if (!sixth.ok) {
    assert.equal(sixth.rule, 'L');
    assert.equal(sixth.retryAfterMs, 100, 'one token comes 200 ms after the burst; 100 ms have passed');
    assert.match(sixth.message, /\(5 calls per 1 s for each client and tool\); retry in 0\.1 s/);
  }
  assert.deepEqual(limiter.take(limits, { ...a, client: 'b' }), { ok: true }, 'b matches no limit');
  assert.deepEqual(limiter.take(limits, { ...a, name: 'fs__other' }), { ok: true }, 'another tool is not limited');
  now += 100;
  assert.deepEqual(limiter.take(limits, a), { ok: true }, 'a token has come back');
});

test('per-client buckets are separate; a per-server bucket is shared by every client', () => {
  let now = 0;
  const limiter = new RateLimiter(() => now);
  const perClient = [limit({ each: ['client'], calls: 1, perSeconds: 60 })];
  assert.equal(limiter.take(perClient, { client: 'a', server: 's', kind: 'tool', name: 's__t' }).ok, true);
  assert.equal(limiter.take(perClient, { client: 'b', server: 's', kind: 'tool', name: 's__t' }).ok, true);
  assert.equal(limiter.take(perClient, { client: 'a', server: 's', kind: 'tool', name: 's__u' }).ok, false);
  const perServer = [limit({ each: ['server'], calls: 1, perSeconds: 60 }, 'S')];
  assert.equal(limiter.take(perServer, { client: 'a', server: 's', kind: 'tool', name: 's__t' }).ok, true);
  assert.equal(limiter.take(perServer, { client: 'b', server: 's', kind: 'tool', name: 's__t' }).ok, false);
  assert.equal(limiter.take(perServer, { client: 'b', server: 'other', kind: 'tool', name: 'other__t' }).ok, true);
  now += 60_000;
  assert.equal(limiter.take(perServer, { client: 'b', server: 's', kind: 'tool', name: 's__t' }).ok, true);
});

test('a refused call takes no token from the limits that had one', () => {
  const limiter = new RateLimiter(() => 0);
  const roomy = limit({ calls: 2, perSeconds: 60 }, 'roomy');
  const tight = limit({ tools: ['s__tight'], calls: 1, perSeconds: 60 }, 'tight');
  const call = { client: 'a', server: 's', kind: 'tool', name: 's__tight' } as const;
  assert.equal(limiter.take([roomy, tight], call).ok, true);
  const refused = limiter.take([roomy, tight], call);
  assert.equal(refused.ok, false);
  if (!refused.ok) assert.equal(refused.rule, 'tight');
  assert.equal(limiter.take([roomy, tight], { ...call, name: 's__free' }).ok, true, 'roomy still had its token');
});

test('a limit naming prompts counts prompt requests only; one naming no kind counts every request', () => {
  const limiter = new RateLimiter(() => 0);
  const prompts = [limit({ prompts: ['s__review'], each: ['client', 'tool'], calls: 1, perSeconds: 60 }, 'P')];
  const prompt = { client: 'a', server: 's', kind: 'prompt', name: 's__review' } as const;
  assert.equal(limiter.take(prompts, { ...prompt, kind: 'tool' }).ok, true, 'a tool of the same name is not limited');
  assert.equal(limiter.take(prompts, { ...prompt, kind: 'tool' }).ok, true);
  assert.equal(limiter.take(prompts, prompt).ok, true);
  assert.equal(limiter.take(prompts, prompt).ok, false);
  const every = [limit({ each: ['client'], calls: 2, perSeconds: 60 }, 'E')];
  assert.equal(limiter.take(every, prompt).ok, true);
  assert.equal(limiter.take(every, { client: 'a', server: 's', kind: 'resource', name: 'file:///x' }).ok, true);
  assert.equal(limiter.take(every, { client: 'a', server: 's', kind: 'tool', name: 's__t' }).ok, false);
});

test('T22 a concurrency cap of 2 refuses the third call in flight until one ends', () => {
  const caps = new ConcurrencyCaps();
  const first = caps.acquire('s', 2);
  const second = caps.acquire('s', 2);
  assert.ok(first && second);
  assert.equal(caps.acquire('s', 2), null);
  assert.ok(caps.acquire('other', 2), 'other servers have their own count');
  first();
  first();
  assert.equal(caps.inFlight('s'), 1, 'releasing twice counts once');
  assert.ok(caps.acquire('s', 2));
});
