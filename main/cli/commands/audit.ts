// `switchboard audit`: reads the audit trail straight from the database, whether or not `serve` runs (SQLite's
// WAL lets a reader in beside the writer). Query with filters and pages, show one record, verify the chain,
// export everything that matches as JSON Lines or CSV.
import { Writable } from 'node:stream';
import { openAuditDb } from '../../audit/audit-db.ts';
import { AUDIT_KINDS, AUDIT_OUTCOMES, type AuditEvent } from '../../audit/audit-event.ts';
import { exportAudit, type ExportFormat } from '../../audit/audit-export.ts';
import { readHead } from '../../audit/audit-head.ts';
import { formerJournalPathFor, journalHasRecords, replayJournal } from '../../audit/audit-journal.ts';
import { queryAudit, readEvent, type AuditFilter } from '../../audit/audit-query.ts';
import { catchUp } from '../../audit/audit-text-index.ts';
import { verifyAudit } from '../../audit/audit-verify.ts';
import { dataDirPaths } from '../../paths/data-dir.ts';
import { UsageError, stringOption, type CliIo, type Command, type ParsedCommand } from '../command.ts';

const FILTER_OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  client: { type: 'string' },
  member: { type: 'string' },
  server: { type: 'string' },
  tool: { type: 'string' },
  method: { type: 'string' },
  kind: { type: 'string' },
  outcome: { type: 'string' },
  text: { type: 'string' },
} as const;

/** An ISO date or time, or a span back from now: `30s`, `15m`, `2h`, `7d`. */
export function parseWhen(text: string, flag: string, now: number = Date.now()): number {
  const span = /^(\d+)(s|m|h|d)$/.exec(text);
  if (span !== null) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[span[2] as 's' | 'm' | 'h' | 'd'];
    return now - Number(span[1]) * unit;
  }
  const at = Date.parse(text);
  if (Number.isNaN(at))
    throw new UsageError(
      `${flag} takes a date (2026-11-01, 2026-11-01T09:00:00Z) or a span (30m, 2h, 7d), got "${text}"`,
    );
  return at;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag} takes one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

function filterOf(args: ParsedCommand): AuditFilter {
  const since = stringOption(args, 'since');
  const until = stringOption(args, 'until');
  return {
    since: since === undefined ? undefined : parseWhen(since, '--since'),
    until: until === undefined ? undefined : parseWhen(until, '--until'),
    client: stringOption(args, 'client'),
    member: stringOption(args, 'member'),
    server: stringOption(args, 'server'),
    target: stringOption(args, 'tool'),
    method: stringOption(args, 'method'),
    kind: oneOf(stringOption(args, 'kind'), AUDIT_KINDS, '--kind'),
    outcome: oneOf(stringOption(args, 'outcome'), AUDIT_OUTCOMES, '--outcome'),
    text: stringOption(args, 'text'),
  };
}

/**
 * Opened read-only, beside a running serve. Records still in the journal (serve takes them in a moment after it
 * writes them, or at its next start after it was killed) are put in first, and a text search first brings the
 * text index up to date; both need a writable connection.
 */
function openForReading(dataDir: string, io: CliIo, command: string, text?: string) {
  const { audit: path, auditJournal } = dataDirPaths(dataDir);
  // One an earlier version left beside the database first: serve removes it once it has opened the log.
  const journals = [formerJournalPathFor(path), auditJournal].filter((journal) => journalHasRecords(journal));
  const opened = openAuditDb(path, { readonly: text === undefined && journals.length === 0 });
  // Beside a running serve, which may cut the journal back while it is read: what cannot be linked is left to it.
  if (opened.ok) for (const journal of journals) replayJournal(opened.db, journal, 'stop');
  if (opened.ok && text !== undefined) catchUp(opened.db);
  if (!opened.ok) {
    io.err(
      `${command}: ${/does not exist|unable to open/i.test(opened.error) ? `no audit log yet at ${path}` : opened.error}\n`,
    );
    return null;
  }
  return opened.db;
}

function line(e: AuditEvent): string {
  const when = new Date(e.ts).toISOString();
  const what = [e.method, e.server, e.target].filter((x) => x !== null).join(' ');
  const took = e.durationMs === null ? '' : ` ${e.durationMs.toFixed(1)} ms`;
  const who = (e.client === null ? '' : ` by ${e.client}`) + (e.member === null ? '' : ` for ${e.member}`);
  const why = e.error === null ? '' : `: ${e.error.length > 120 ? `${e.error.slice(0, 120)}…` : e.error}`;
  return `#${e.id} ${when} ${e.kind} ${what} ${e.outcome}${who}${took}${why}`;
}

export const auditCommand: Command = {
  path: ['audit'],
  summary: 'Query the audit trail (newest first), with filters and pages.',
  usage:
    'switchboard audit [--since WHEN] [--until WHEN] [--client C] [--member M] [--server S] [--tool T] [--method M] [--kind K] [--outcome O] [--text WORDS] [--limit N] [--before ID] [--json]',
  options: { ...FILTER_OPTIONS, limit: { type: 'string' }, before: { type: 'string' } },
  allowPositionals: false,
  async run(args, global, io) {
    const filter = filterOf(args);
    const limit = Number(stringOption(args, 'limit') ?? '50');
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit takes 1 to 10000');
    const beforeText = stringOption(args, 'before');
    const before = beforeText === undefined ? undefined : Number(beforeText);
    if (before !== undefined && !(Number.isInteger(before) && before > 0))
      throw new UsageError(`--before takes a record id (a whole number from 1), got "${beforeText}"`);
    const db = openForReading(global.dataDir, io, 'audit', filter.text);
    if (db === null) return 1;
    try {
      const page = queryAudit(db, { ...filter, limit, before });
      if (global.json) {
        io.out(JSON.stringify(page, null, 2) + '\n');
        return 0;
      }
      if (page.events.length === 0) io.out('no matching records\n');
      for (const event of page.events) io.out(line(event) + '\n');
      if (page.next !== null) io.out(`(more: add --before ${page.next})\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};

export const auditShowCommand: Command = {
  path: ['audit', 'show'],
  summary: 'Show one audit record in full.',
  usage: 'switchboard audit show ID [--json]',
  options: {},
  allowPositionals: true,
  async run(args, global, io) {
    const id = Number(args.positionals[0]);
    if (args.positionals.length !== 1 || !Number.isInteger(id))
      throw new UsageError(`expected one record id; usage: ${this.usage}`);
    const db = openForReading(global.dataDir, io, 'audit show');
    if (db === null) return 1;
    try {
      const event = readEvent(db, id);
      if (event === null) {
        io.err(`audit show: there is no record ${id}\n`);
        return 1;
      }
      if (global.json) io.out(JSON.stringify(event, null, 2) + '\n');
      else
        for (const [key, value] of Object.entries(event))
          if (value !== null)
            io.out(`${key.padEnd(16)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};

export const auditVerifyCommand: Command = {
  path: ['audit', 'verify'],
  summary: 'Check the audit trail: SQLite integrity, the hash chain, and its ends against the head file.',
  usage: 'switchboard audit verify [--json]',
  options: {},
  allowPositionals: false,
  async run(_args, global, io) {
    const db = openForReading(global.dataDir, io, 'audit verify');
    if (db === null) return 1;
    try {
      const report = verifyAudit(db, readHead(dataDirPaths(global.dataDir).auditHead));
      if (global.json) io.out(JSON.stringify(report, null, 2) + '\n');
      else if (report.ok)
        io.out(
          `audit log verified: ${report.checked} records, chain intact${report.firstId === null ? '' : ` (${report.firstId} to ${report.lastId})`}\n`,
        );
      else
        io.err(
          `audit verify: BROKEN${report.problem!.id === null ? '' : ` at record ${report.problem!.id}`}: ${report.problem!.message}\n`,
        );
      return report.ok ? 0 : 1;
    } finally {
      db.close();
    }
  },
};

export const auditExportCommand: Command = {
  path: ['audit', 'export'],
  summary: 'Write every matching record, oldest first, as JSON Lines or CSV to standard output.',
  usage: 'switchboard audit export --format jsonl|csv [filters as for audit]',
  options: { ...FILTER_OPTIONS, format: { type: 'string' } },
  allowPositionals: false,
  async run(args, global, io) {
    const format = oneOf(
      stringOption(args, 'format') ?? 'jsonl',
      ['jsonl', 'csv'] as const,
      '--format',
    ) as ExportFormat;
    const filter = filterOf(args);
    const db = openForReading(global.dataDir, io, 'audit export', filter.text);
    if (db === null) return 1;
    const out =
      io.stdout ??
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          io.out(chunk.toString('utf8'));
          done();
        },
      });
    try {
      const count = await exportAudit(db, filter, format, out);
      io.err(`exported ${count} records\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};
