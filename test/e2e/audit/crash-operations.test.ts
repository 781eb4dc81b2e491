// T78: the chain survives a process killed (SIGKILL) in the middle of a batched write, of retention pruning and of
// a WAL checkpoint. After each kill the log is opened as the next start opens it: SQLite's integrity check is ok,
// the next record links to the last surviving one, `verify` is clean, and every batch is there whole or not at all.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openAuditDb } from '../../../main/audit/audit-db.ts';
import { readHead } from '../../../main/audit/audit-head.ts';
import { AuditLog } from '../../../main/audit/audit-log.ts';
import { verifyAudit } from '../../../main/audit/audit-verify.ts';

const CHILD = fileURLToPath(new URL('../../fixtures/audit-crash-child.ts', import.meta.url));
const KILLS = 4;
/**
 * Records per batch in write mode: enough that recording one batch takes tens of milliseconds on a fast machine
 * (about 5 ms at 2,000), so a kill up to `jitterMs` after its start lands in the middle of it.
 */
const WRITE_BATCH = 8000;
type Mode = 'write' | 'prune' | 'checkpoint';

/** Runs the child until it begins operation number `at` of its kind, then kills it 0 to `jitterMs` later. */
async function killDuring(dir: string, mode: Mode, at: number, jitterMs: number): Promise<{ during: boolean }> {
  const child = spawn(process.execPath, [CHILD, dir, mode, String(WRITE_BATCH)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  let ended = false;
  let begun = false;
  for await (const line of lines) {
    if (line === `end ${mode} ${at}`) ended = true;
    if (line !== `begin ${mode} ${at}`) continue;
    begun = true;
    await sleep(Math.floor(Math.random() * (jitterMs + 1)));
    child.kill('SIGKILL');
    break;
  }
  // Whatever it printed before it died: an `end` for this operation means the kill came after it.
  for await (const line of lines) if (line === `end ${mode} ${at}`) ended = true;
  await exited;
  assert.ok(begun, `the ${mode} child never began operation ${at}: ${stderr}`);
  return { during: !ended };
}

/** Opens the log as serve does after a crash, adds one record, closes it, and checks the whole chain. */
async function reopenAndCheck(dir: string, label: string): Promise<number> {
  const opened = openAuditDb(join(dir, 'audit.db'));
  assert.ok(opened.ok, opened.ok ? '' : opened.error);
  const log = new AuditLog(opened.db, { headPath: join(dir, 'audit.head.json') });
  await log.record({ kind: 'request', method: 'tools/call', outcome: 'ok', client: 'after', target: label });
  log.close();
  const db = new Database(join(dir, 'audit.db'), { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', label);
    const [last, before] = db
      .prepare('SELECT id, prev_hash, hash, target FROM audit ORDER BY id DESC LIMIT 2')
      .all() as {
      id: number;
      prev_hash: string;
      hash: string;
      target: string;
    }[];
    assert.equal(last!.target, label);
    assert.equal(last!.id, before!.id + 1, `${label}: the new record follows the last surviving one`);
    assert.equal(last!.prev_hash, before!.hash, `${label}: and links to it`);
    const report = verifyAudit(db, readHead(join(dir, 'audit.head.json')));
    assert.equal(report.ok, true, `${label}: ${JSON.stringify(report.problem)}`);
    return report.checked;
  } finally {
    db.close();
  }
}

for (const [mode, jitterMs] of [
  ['write', 10],
  ['prune', 20],
  ['checkpoint', 20],
] as const) {
  test(`T78 ${KILLS} kills during ${mode}: one chain, no fork or gap, verify clean`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), `switchboard-t78-${mode}-`));
    t.after(() => rm(dir, { recursive: true, force: true }));
    let during = 0;
    let checked = 0;
    for (let kill = 0; kill < KILLS; kill += 1) {
      // Writes are killed at a random batch; the slower operations on their first or second round.
      const at = mode === 'write' ? 1 + Math.floor(Math.random() * 5) : kill % 2;
      if ((await killDuring(dir, mode, at, jitterMs)).during) during += 1;
      checked = await reopenAndCheck(dir, `after-${mode}-${kill}`);
    }
    if (mode === 'write') {
      const db = new Database(join(dir, 'audit.db'), { readonly: true });
      try {
        const torn = db
          .prepare(
            `SELECT json_extract(arguments, '$.batch') AS batch, COUNT(*) AS n FROM audit
             WHERE client = 'crash' GROUP BY batch HAVING n <> ?`,
          )
          .all(WRITE_BATCH);
        assert.deepEqual(torn, [], 'every batch is whole or absent');
      } finally {
        db.close();
      }
    }
    t.diagnostic(`${during} of ${KILLS} kills landed while the ${mode} was under way; ${checked} records verified`);
    assert.ok(during > 0, `no kill landed during a ${mode}: the test did not test it`);
  });
}
