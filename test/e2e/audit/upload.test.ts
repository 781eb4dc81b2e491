// Uploading the audit trail to a team collector (a node:http receiver on 127.0.0.1) from a real core whose records
// come from real tool calls: in order with their uids; through 500s, a receiver that never answers and a 429 with
// Retry-After, every record arrives and is held once; a 401 stops the upload and says so until the setting
// changes; the bearer token reaches the receiver and nothing else.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ControlEvent } from '../../../preload/contract.ts';
import { ALERT_AFTER } from '../../../main/audit/audit-uploader.ts';
import type { ConfigInput } from '../../../main/config/schema.ts';
import { updateConfig } from '../../../main/config/update-config.ts';
import { PASSPHRASE_ENV } from '../../../main/vault/file-vault.ts';
import { fixtureServer, startHarness, type Harness } from '../../helpers/gateway-harness.ts';
import { filesHolding } from '../credentials/support.ts';
import { runCliInProcess, waitUntil } from '../gateway/support.ts';
import { Receiver, type Reply } from './upload-receiver.ts';

const TOKEN = 'upload-token-6c1f9e2ab47d';
/** Small batches and quick retries, so a few calls make several batches and failures pass fast. */
const FAST = { batchSize: 5, intervalMs: 100, timeoutMs: 1_000, initialBackoffMs: 50, maxBackoffMs: 200 };

before(() => {
  process.env[PASSPHRASE_ENV] = 'upload-test-passphrase';
});
after(() => {
  delete process.env[PASSPHRASE_ENV];
});

async function start(t: { after(fn: () => Promise<void>): void }, upload: ConfigInput['audit']): Promise<Harness> {
  const h = await startHarness({ vault: 'file', servers: { echo: fixtureServer('echo') }, audit: upload });
  t.after(() => h.close());
  await h.waitForState('echo', (s) => s.state === 'running');
  return h;
}

async function calls(client: Client, n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i += 1) await client.callTool({ name: 'echo__echo', arguments: { text: `${tag}-${i}` } });
}

/** Every record the core's database holds, once the writer has stored everything recorded so far. */
async function stored(h: Harness): Promise<{ id: number; hash: string }[]> {
  await h.core.audit.whenStored();
  return h.core.audit.database.prepare('SELECT id, hash FROM audit ORDER BY id').all() as {
    id: number;
    hash: string;
  }[];
}

/** Waits until the receiver holds every record the database holds now. */
async function allArrive(h: Harness, receiver: Receiver): Promise<{ id: number; hash: string }[]> {
  const rows = await stored(h);
  const installId = readFileSync(join(h.dataDir, 'install-id'), 'utf8').trim();
  await receiver.until(
    () => rows.every((r) => receiver.held.has(`${installId}:${r.id}:${r.hash}`)),
    `all ${rows.length} records at the receiver`,
  );
  return rows;
}

/** A receiver failing every request with `status`, a core uploading to it with FAST settings, and the events it sends. */
async function failingSetup(
  t: { after(fn: () => Promise<void>): void },
  status: number,
): Promise<{ receiver: Receiver; h: Harness; events: ControlEvent[]; client: Client }> {
  const receiver = new Receiver();
  await receiver.listen();
  t.after(() => receiver.close());
  receiver.script = () => ({ kind: 'fail', status });
  const h = await start(t, { upload: { url: receiver.url, ...FAST } });
  const events: ControlEvent[] = [];
  h.core.onControlEvent((event) => events.push(event));
  return { receiver, h, events, client: await h.connect() };
}

function uploadStatus(h: Harness) {
  return h.core.status().audit.upload;
}

test('records reach the receiver in id order with their uids and source; the token reaches it and nothing else; the team endpoint wins', async (t) => {
  const receiver = new Receiver();
  await receiver.listen();
  t.after(() => receiver.close());
  const h = await start(t, {
    upload: { url: receiver.url, token: '${secret:AUDIT_TOKEN}', label: 'e2e-host', ...FAST },
  });

  // Without its secret in the vault the upload cannot start, and says which secret to set.
  await waitUntil(() => uploadStatus(h).state === 'stopped', 'the upload stopped for want of its token');
  assert.match(uploadStatus(h).lastError!, /secret "AUDIT_TOKEN" is not in .*switchboard secret set AUDIT_TOKEN/);
  // Setting it renews the secret in config.json, and the upload starts again by itself.
  const set = await runCliInProcess(
    ['secret', 'set', 'AUDIT_TOKEN', '--data-dir', h.dataDir],
    { ...process.env },
    TOKEN,
  );
  assert.equal(set.code, 0, set.err);

  const client = await h.connect();
  await calls(client, 12, 'order');
  const rows = await allArrive(h, receiver);
  const installId = readFileSync(join(h.dataDir, 'install-id'), 'utf8').trim();

  assert.ok(receiver.attempts.length >= 3, `${rows.length} records in batches of 5: ${receiver.attempts.length}`);
  // A record stored after that snapshot (the core's own events go on) is uploaded too: the whole trail is compared
  // once nothing is pending.
  await waitUntil(() => uploadStatus(h).pending === 0 && uploadStatus(h).state === 'idle', 'nothing pending');
  const trail = await stored(h);
  const sent = receiver.attempts.flatMap((a) => a.batch.records);
  assert.deepEqual(
    sent.map((r) => r.id),
    trail.map((r) => r.id),
    'every record once, in id order, across batches',
  );
  for (const [i, record] of sent.entries()) {
    assert.equal(record.uid, `${installId}:${record.id}:${trail[i]!.hash}`);
    if (i > 0) assert.equal(record.prevHash, sent[i - 1]!.hash, 'the chain links across batches');
  }
  assert.ok(sent.some((r) => r.method === 'tools/call' && r.target === 'echo' && r.arguments?.includes('order-11')));
  for (const attempt of receiver.attempts) {
    assert.ok(attempt.batch.records.length <= FAST.batchSize);
    assert.equal(attempt.batch.schemaVersion, 1);
    assert.deepEqual(attempt.batch.source, { installId, host: 'e2e-host', version: attempt.batch.source.version });
    assert.equal(attempt.authorization, `Bearer ${TOKEN}`);
  }

  const status = uploadStatus(h);
  assert.equal(status.target, receiver.url);
  assert.equal(status.source, 'config');
  assert.equal(status.lastError, null);
  assert.ok(status.lastUploadAt !== null);
  const printed = await runCliInProcess(['status', '--data-dir', h.dataDir]);
  assert.match(printed.out, new RegExp(`audit upload: up to date, to ${receiver.url} \\(config\\), 0 pending`));
  const json = await runCliInProcess(['status', '--json', '--data-dir', h.dataDir]);
  assert.equal((JSON.parse(json.out) as { audit: { upload: { state: string } } }).audit.upload.state, 'idle');

  // The team's endpoint wins while it names one; config.json's token is not sent there.
  const team = new Receiver();
  await team.listen();
  t.after(() => team.close());
  h.core.setTeamUploadTarget({ url: team.url, tokenSecret: null });
  await calls(client, 3, 'team');
  await allArrive(h, team);
  assert.equal(uploadStatus(h).source, 'team');
  assert.equal(uploadStatus(h).target, team.url);
  assert.ok(team.attempts.every((a) => a.authorization === undefined));

  for (const text of [JSON.stringify(h.core.status()), printed.out, json.out]) {
    assert.ok(!text.includes(TOKEN), 'not in the status');
  }
  assert.ok(!h.logLines.join('').includes(TOKEN), 'not in a log line');
  assert.deepEqual(await filesHolding(h.dataDir, [TOKEN]), [], 'not in any file of the data directory');
});

test('500s, a receiver that never answers and a 429 with Retry-After: retried, nothing lost, each record held once', async (t) => {
  const { receiver, h, events, client } = await failingSetup(t, 500);
  await calls(client, 12, 'retry');
  // A call's record is pending as soon as the call is answered, before the writer thread stores it (it takes the
  // journal's lines half a second later), so "0 pending" never comes before the last record is sent.
  const before = uploadStatus(h).pending;
  await calls(client, 1, 'counted');
  assert.ok(uploadStatus(h).pending > before, `pending after a call: ${uploadStatus(h).pending}, before: ${before}`);

  await waitUntil(() => uploadStatus(h).failures >= ALERT_AFTER, `${ALERT_AFTER} failed tries in a row`, 20_000);
  const failing = uploadStatus(h);
  assert.equal(failing.state === 'backoff' || failing.state === 'sending', true, failing.state);
  assert.match(failing.lastError!, /the receiver answered 500: scripted 500/);
  assert.ok(failing.pending > 0);
  assert.ok(
    events.some((e) => e.type === 'audit-upload' && e.upload.failures === ALERT_AFTER),
    'the dashboard is told once the failure persists',
  );
  assert.ok(h.logLines.some((line) => line.includes('audit upload keeps failing')));

  // Then one request never answered (the sender gives up after timeoutMs), one 429 asking for a second, then OK.
  const next: Reply[] = [{ kind: 'hang' }, { kind: 'fail', status: 429, headers: { 'retry-after': '1' } }];
  receiver.script = () => next.shift() ?? { kind: 'store' };
  const rows = await allArrive(h, receiver);

  const hung = receiver.attempts.findIndex((a) => a.status === 'hung');
  const busy = receiver.attempts.findIndex((a) => a.status === 429);
  assert.ok(hung >= 0 && busy === hung + 1, 'the hung request was tried again');
  assert.ok(
    receiver.attempts[busy + 1]!.at - receiver.attempts[busy]!.at >= 1_000,
    'the try after the 429 waited for its Retry-After (backoff alone is at most 200 ms here)',
  );
  assert.ok(h.logLines.some((line) => line.includes(`did not answer within ${FAST.timeoutMs} ms`)));

  assert.deepEqual(
    receiver.heldIds(),
    rows.map((r) => r.id),
    'every record held, none twice',
  );
  const uidsById = new Map<number, Set<string>>();
  for (const record of receiver.attempts.flatMap((a) => a.batch.records)) {
    uidsById.set(record.id, (uidsById.get(record.id) ?? new Set()).add(record.uid));
  }
  assert.ok(
    [...uidsById.values()].every((uids) => uids.size === 1),
    'a record sent again carries the same uid',
  );
  const sentTotal = receiver.attempts.reduce((n, a) => n + a.batch.records.length, 0);
  assert.ok(sentTotal > rows.length, 'records were sent more than once, and held once');

  await waitUntil(() => uploadStatus(h).state === 'idle' && uploadStatus(h).pending === 0, 'caught up');
  assert.equal(uploadStatus(h).lastError, null);
  assert.ok(
    events.some((e) => e.type === 'audit-upload' && e.upload.failures === 0 && e.upload.lastError === null),
    'the dashboard is told it works again',
  );
});

test('a 401 stops the upload and status says why; a new URL in config.json starts it again', async (t) => {
  const { receiver, h, events, client } = await failingSetup(t, 401);
  await calls(client, 3, 'refused');

  await waitUntil(() => uploadStatus(h).state === 'stopped', 'the upload stopped');
  assert.match(uploadStatus(h).lastError!, /refused the upload with 401: scripted 401; check the token/);
  assert.ok(events.some((e) => e.type === 'audit-upload' && e.upload.state === 'stopped'));
  assert.ok(h.logLines.some((line) => line.includes('audit upload stopped')));
  // Many times the longest backoff later, it has not tried again.
  await new Promise((resolve) => setTimeout(resolve, 10 * FAST.maxBackoffMs));
  assert.equal(receiver.attempts.length, 1);
  assert.equal(uploadStatus(h).state, 'stopped');

  receiver.script = () => ({ kind: 'store' });
  const edited = await updateConfig(h.dataDir, (draft) => ({
    ...draft,
    audit: { upload: { ...FAST, url: `${receiver.url}/v2` } },
  }));
  assert.ok(edited.ok);
  await allArrive(h, receiver);
  await waitUntil(() => uploadStatus(h).state === 'idle', 'uploading again');
  assert.equal(uploadStatus(h).target, `${receiver.url}/v2`);
});
