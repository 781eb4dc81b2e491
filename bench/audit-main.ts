// `node <serve's V8 flags> bench/audit-main.ts RECORDS`: the audit benchmark, started by audit-process.ts.
// Progress goes to stderr, the result as JSON to stdout.
import { benchAudit } from './audit.ts';

const records = Number(process.argv[2]);
if (!Number.isInteger(records) || records < 1_000) {
  process.stderr.write(`records must be a whole number of at least 1000, got "${process.argv[2]}"\n`);
  process.exit(2);
}
const result = await benchAudit(records, (message) => process.stderr.write(`${message}\n`));
process.stdout.write(JSON.stringify(result));
