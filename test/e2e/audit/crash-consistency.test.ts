// T43: `kill -9` of a real `serve` under load from 16 concurrent clients, at a random moment, 20 times. After each
// kill the database is opened as the next start would open it: every call whose answer reached a client has its
// record, SQLite's integrity check is ok, and the chain verifies (one chain across all 20 lives, no fork, no gap).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Database from 'better-sqlite3';
import { readHead } from '../../../main/audit/audit-head.ts';
import { replayJournal } from '../../../main/audit/audit-journal.ts';
import { verifyAudit } from '../../../main/audit/audit-verify.ts';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import { runBin, startServe } from '../cli/serve-process.ts';
import { waitUntil } from '../gateway/support.ts';

const CYCLES = 20;
const CLIENTS = 16;

/** A client that calls echo in a loop and remembers every tag whose answer came back. */
async function loadClient(url: string, token: string, id: number, answered: Set<string>, stop: { now: boolean }) {
  const client = new Client({ name: `load-${id}`, version: '1' });
  try {
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    for (let n = 0; !stop.now; n += 1) {
      const tag = `c${id}-n${n}-${Math.random().toString(36).slice(2, 8)}`;
      const result = await client.callTool({ name: 'echo__echo', arguments: { text: tag } });
      if ((result.content as { text: string }[])[0]?.text === tag) answered.add(tag);
    }
  } catch {
    // The gateway was killed mid-call: that call's answer never arrived, so nothing is owed for it.
  } finally {
    void client.close().catch(() => {});
  }
}

test(`T43 ${CYCLES} kill -9 of serve under ${CLIENTS} clients: every answered call is in the log, one chain`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-crash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.ok((await writeConfig(dataDirPaths(dir).config, { servers: { echo: fixtureServer('echo') } })).ok);
  const made = await runBin(['token', 'create', 'load', '--json', '--data-dir', dir]);
  assert.equal(made.code, 0, made.err);
  const token = (JSON.parse(made.out) as { token: string }).token;
  let totalAnswered = 0;
  let totalRecords = 0;

  for (let cycle = 0; cycle < CYCLES; cycle += 1) {
    const serve = await startServe(dir);
    const answered = new Set<string>();
    const stop = { now: false };
    const clients = Array.from({ length: CLIENTS }, (_, i) => loadClient(`${serve.url}`, token, i, answered, stop));
    // Let the load build (every client answered at least once, however busy the machine), then kill at a moment
    // nobody chose.
    await waitUntil(() => answered.size >= CLIENTS, `cycle ${cycle}: ${CLIENTS} calls answered`, 30_000);
    await sleep(Math.floor(Math.random() * 700));
    serve.child.kill('SIGKILL');
    await serve.exited;
    stop.now = true;
    await Promise.all(clients);

    // What the next start does first: the journal's records go into the database.
    const db = new Database(dataDirPaths(dir).audit);
    replayJournal(db, dataDirPaths(dir).auditJournal);
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `cycle ${cycle}`);
      const logged = new Set(
        (db.prepare("SELECT arguments FROM audit WHERE method = 'tools/call'").all() as { arguments: string }[]).map(
          (r) => (JSON.parse(r.arguments) as { text: string }).text,
        ),
      );
      const missing = [...answered].filter((tag) => !logged.has(tag));
      assert.deepEqual(missing, [], `cycle ${cycle}: answered calls without a record`);
      const report = verifyAudit(db, readHead(dataDirPaths(dir).auditHead));
      assert.equal(report.ok, true, `cycle ${cycle}: ${JSON.stringify(report.problem)}`);
      totalAnswered += answered.size;
      totalRecords = logged.size;
    } finally {
      db.close();
    }
  }
  t.diagnostic(
    `${CYCLES} kills; ${totalAnswered} answered calls, all recorded; ${totalRecords} tool-call records in one chain`,
  );
  assert.ok(totalAnswered > CYCLES * CLIENTS, 'the load actually ran');
  const verified = await runBin(['audit', 'verify', '--data-dir', dir]);
  assert.equal(verified.code, 0, verified.err);
  assert.match(verified.out, /audit log verified: \d+ records, chain intact/);
});
