// Team ingestion: records per second a `team-server` process stores into a durable PostgreSQL (fsync on) while
// 10 desktops send at once, each posting real chained batches of 500 records one after another as a desktop's
// uploader does (the next batch after the answer). Every batch is checked record by record and stored in one
// transaction, so the figure is the whole path: HTTP, JSON, shape, chain hashes, insert, commit.
// `node bench/team-ingest.ts [--quick]` runs this section alone.
import { fileURLToPath } from 'node:url';
import { addMember } from '../main/team-server/members.ts';
import { openTeamDb } from '../main/team-server/team-db.ts';
import { batchOf, newChain, nextRecords } from '../test/helpers/chained-records.ts';
import { postgresMissing, startPostgres } from '../test/helpers/postgres.ts';
import { makeTeamKey } from '../test/helpers/team-documents.ts';
import { freePort, startTeamServerProcess } from '../test/helpers/team-server-process.ts';

const DESKTOPS = 10;
const BATCH = 500;

export type TeamIngestResult =
  | {
      readonly ran: true;
      readonly desktops: number;
      readonly batchSize: number;
      readonly records: number;
      readonly seconds: number;
      readonly recordsPerSecond: number;
      /** Answers other than 200 (429s are sent again, as a desktop would). */
      readonly retried: number;
    }
  | { readonly ran: false; readonly why: string };

export async function benchTeamIngest(batchesEach: number, log: (message: string) => void): Promise<TeamIngestResult> {
  const missing = postgresMissing();
  if (missing !== null) return { ran: false, why: missing };
  const postgres = await startPostgres({ durable: true });
  try {
    const opened = await openTeamDb(postgres.url, { max: 2 });
    if (!opened.ok) throw new Error(opened.error);
    const key = await makeTeamKey();
    const tokens: string[] = [];
    for (let i = 0; i < DESKTOPS; i += 1) {
      const added = await addMember(opened.pool, `member-${i}`, false);
      if (!added.ok) throw new Error(added.error);
      tokens.push(added.token);
    }
    await opened.pool.end();
    const server = await startTeamServerProcess({
      databaseUrl: postgres.url,
      team: 'bench',
      publicKey: key.publicKey,
      port: await freePort(),
    });
    try {
      log(`team ingest: preparing ${DESKTOPS} desktops × ${batchesEach} chained batches of ${BATCH}`);
      const bodies = tokens.map(() => {
        const chain = newChain();
        return Array.from({ length: batchesEach }, () => batchOf(chain, nextRecords(chain, BATCH), 'bench-host'));
      });
      log(`team ingest: ${DESKTOPS} senders posting to ${server.url}/audit/ingest`);
      let retried = 0;
      const began = performance.now();
      await Promise.all(
        bodies.map(async (batches, i) => {
          for (const body of batches) {
            for (;;) {
              const response = await fetch(`${server.url}/audit/ingest`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i]}` },
                body,
              });
              const text = await response.text();
              if (response.status === 200) break;
              if (response.status !== 429 && response.status !== 503) {
                throw new Error(`team ingest: ${response.status} ${text.slice(0, 200)}`);
              }
              retried += 1;
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          }
        }),
      );
      const seconds = (performance.now() - began) / 1000;
      const records = DESKTOPS * batchesEach * BATCH;
      return {
        ran: true,
        desktops: DESKTOPS,
        batchSize: BATCH,
        records,
        seconds,
        recordsPerSecond: records / seconds,
        retried,
      };
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    await postgres.stop();
  }
}

export function formatTeamIngest(r: TeamIngestResult): string {
  if (!r.ran) return `\nteam ingest: not measured (${r.why})\n`;
  return [
    '',
    `team ingest: ${r.desktops} desktops posting chained batches of ${r.batchSize} to team-server, PostgreSQL with fsync`,
    `  records/s stored, sustained                           ${Math.round(r.recordsPerSecond).toLocaleString('en')}  (${r.records.toLocaleString('en')} records in ${r.seconds.toFixed(1)} s, ${r.retried} sent again after 429/503)`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const result = await benchTeamIngest(quick ? 4 : 12, (m) => process.stderr.write(`${m}\n`));
  process.stdout.write(formatTeamIngest(result));
}
