// `switchboard audit export` of a trail of 100,000 records, run as a user runs it: every record comes out exactly
// once, oldest first, with its chain intact, in JSON Lines and in CSV, and a filter exports exactly its records.
// How much memory the export takes is a figure of `npm run bench`, not of this test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { openAuditDb } from '../../../main/audit/audit-db.ts';
import type { AuditEvent } from '../../../main/audit/audit-event.ts';
import { AuditLog } from '../../../main/audit/audit-log.ts';
import { NODE, REPO } from '../../helpers/gateway-harness.ts';
import { BIN, runBin } from '../cli/serve-process.ts';

const RECORDS = 100_000;
const CLIENTS = ['cursor', 'claude-desktop', 'vscode', 'claude-code', 'ci-bot'];
/** Every ten-thousandth record (all of them cursor's) carries text a CSV writer must quote. */
const AWKWARD = 'a comma, "quotes"\r\nand a second line';
/** ... and a tool name a spreadsheet would run as a formula. */
const FORMULA = '=HYPERLINK("http://example.invalid")';

async function writeTrail(dataDir: string): Promise<void> {
  const opened = openAuditDb(join(dataDir, 'audit.db'));
  if (!opened.ok) throw new Error(opened.error);
  const log = new AuditLog(opened.db, { headPath: join(dataDir, 'audit.head.json') });
  const start = Date.now() - RECORDS * 10;
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < RECORDS) {
        const i = next++;
        await log.record({
          kind: 'request',
          method: 'tools/call',
          outcome: i % 50 === 0 ? 'tool-error' : 'ok',
          client: CLIENTS[i % CLIENTS.length]!,
          server: 'fs',
          target: i % 10_000 === 0 ? FORMULA : 'read_file',
          arguments: { path: `/srv/file-${i}.txt`, note: i % 10_000 === 0 ? AWKWARD : 'plain' },
          decision: 'allow',
          rule: 'default',
          durationMs: i % 200,
          requestBytes: 60,
          responseBytes: 120,
          ts: start + i * 10,
        });
      }
    }),
  );
  await log.whenStored();
  log.close();
}

function exportProcess(args: readonly string[]) {
  const child = spawn(NODE, [BIN, 'audit', 'export', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  // The count it reports on stderr, so a user piping stdout to a file still sees how much went out.
  return { stdout: child.stdout, exited: exited.then((code) => ({ code, stderr })) };
}

/** Runs the export and hands each line of its output to `line` as it arrives. */
async function exportLines(
  args: readonly string[],
  line: (text: string) => void,
): Promise<{ code: number | null; stderr: string }> {
  const { stdout, exited } = exportProcess(args);
  for await (const text of createInterface({ input: stdout, crlfDelay: Infinity })) line(text);
  return exited;
}

async function exportText(args: readonly string[]): Promise<{ code: number | null; stderr: string; text: string }> {
  const { stdout, exited } = exportProcess(args);
  const chunks: Buffer[] = [];
  for await (const chunk of stdout) chunks.push(chunk as Buffer);
  return { ...(await exited), text: Buffer.concat(chunks).toString('utf8') };
}

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += c;
  }
  assert.equal(field + row.join(''), '', 'the CSV ends with a complete row');
  return rows;
}

test('audit export streams 100,000 records, each once, oldest first, with the hash chain intact', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-export-'));
  try {
    await writeTrail(dataDir);

    let count = 0;
    let previous: AuditEvent | null = null;
    const awkward: AuditEvent[] = [];
    const jsonl = await exportLines(['--format', 'jsonl', '--data-dir', dataDir], (text) => {
      const event = JSON.parse(text) as AuditEvent;
      count += 1;
      if (previous !== null) {
        assert.equal(event.id, previous.id + 1, `record ${event.id} follows record ${previous.id}`);
        assert.equal(event.prevHash, previous.hash, `record ${event.id} links to the one before`);
      }
      assert.match(event.hash, /^[0-9a-f]{64}$/);
      if (event.target === FORMULA) awkward.push(event);
      previous = event;
    });
    assert.equal(jsonl.code, 0, jsonl.stderr);
    assert.equal(count, RECORDS);
    assert.match(jsonl.stderr, /exported 100000 records/);
    assert.equal(awkward.length, RECORDS / 10_000);
    assert.deepEqual(JSON.parse(awkward[0]!.arguments!), { path: '/srv/file-0.txt', note: AWKWARD });

    // One client's records as CSV: exactly a fifth of the trail, oldest first, quoting and formula guard intact.
    const csv = await exportText(['--format', 'csv', '--client', 'cursor', '--data-dir', dataDir]);
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stderr, /exported 20000 records/);
    const rows = parseCsv(csv.text);
    const header = rows[0]!;
    const at = (row: string[], name: string) => row[header.indexOf(name)]!;
    const records = rows.slice(1);
    assert.equal(records.length, RECORDS / CLIENTS.length);
    assert.ok(records.every((row) => row.length === header.length && at(row, 'client') === 'cursor'));
    assert.ok(records.every((row, i) => i === 0 || Number(at(row, 'id')) > Number(at(records[i - 1]!, 'id'))));
    const quoted = records.filter((row) => at(row, 'target') === `'${FORMULA}`);
    assert.equal(quoted.length, RECORDS / 10_000);
    assert.deepEqual(JSON.parse(at(quoted[1]!, 'arguments')), { path: '/srv/file-10000.txt', note: AWKWARD });

    const verified = await runBin(['audit', 'verify', '--data-dir', dataDir], {}, 120_000);
    assert.equal(verified.code, 0, verified.err);
    assert.match(verified.out, /verified: 100000 records, chain intact/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
