// After the run: which answered calls the audit trail lacks, read the way a user would, with `switchboard audit
// export` (which first takes in whatever the journal still holds) and `switchboard audit verify` for the chain.
import { runCli } from '../main/cli/cli.ts';
import type { CallRecord } from './load.ts';

export interface AuditCheck {
  readonly audited: number;
  readonly missing: readonly string[];
  readonly verified: boolean;
  readonly verifyOutput: string;
}

async function cli(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli([...argv], { out: (s) => (out += s), err: (s) => (err += s), env: process.env });
  return { code, out, err };
}

/** The tag a chaos call carried, from its audited arguments (`text` for echo, `tag` for the others). */
function tagOf(args: string | null): string | null {
  if (args === null) return null;
  try {
    const value = JSON.parse(args) as { tag?: unknown; text?: unknown };
    const tag = value.tag ?? value.text;
    return typeof tag === 'string' ? tag : null;
  } catch {
    return null;
  }
}

export async function checkAudit(dataDir: string, records: readonly CallRecord[]): Promise<AuditCheck> {
  const exported = await cli(['--data-dir', dataDir, 'audit', 'export', '--format', 'jsonl', '--method', 'tools/call']);
  if (exported.code !== 0) throw new Error(`switchboard audit export failed: ${exported.err}`);
  const tags = new Set<string>();
  for (const line of exported.out.split('\n')) {
    if (line.trim() === '') continue;
    const tag = tagOf((JSON.parse(line) as { arguments: string | null }).arguments);
    if (tag !== null) tags.add(tag);
  }
  const missing = records.filter((r) => r.answered && !tags.has(r.tag)).map((r) => r.tag);
  const verify = await cli(['--data-dir', dataDir, 'audit', 'verify']);
  return { audited: tags.size, missing, verified: verify.code === 0, verifyOutput: (verify.out + verify.err).trim() };
}
