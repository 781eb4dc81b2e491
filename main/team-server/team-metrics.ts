// What the team server counts, in Prometheus text on its own prom-client registry: ingest requests by result
// (`stored`, `duplicates`, or the refusal's reason), records stored and received again, chain breaks kept, and
// refusals on the other routes by route and reason.
import { Counter, Registry } from 'prom-client';

export class TeamMetrics {
  readonly registry = new Registry();
  readonly #ingest = new Counter({
    name: 'switchboard_team_ingest_requests_total',
    help: 'Audit upload requests by result: stored, duplicates (nothing new), or the reason of a refusal',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly #records = new Counter({
    name: 'switchboard_team_ingest_records_total',
    help: 'Audit records received, by what became of them: stored, or duplicate (held already)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly #breaks = new Counter({
    name: 'switchboard_team_chain_breaks_total',
    help: "Gaps and restarts recorded in desktops' audit chains",
    registers: [this.registry],
  });
  readonly #refusals = new Counter({
    name: 'switchboard_team_refusals_total',
    help: 'Requests refused on routes other than ingest, by route and reason',
    labelNames: ['route', 'reason'],
    registers: [this.registry],
  });

  ingested(stored: number, duplicates: number, breaks: number): void {
    this.#ingest.inc({ result: stored > 0 ? 'stored' : 'duplicates' });
    this.#records.inc({ result: 'stored' }, stored);
    this.#records.inc({ result: 'duplicate' }, duplicates);
    this.#breaks.inc(breaks);
  }

  ingestRefused(reason: string): void {
    this.#ingest.inc({ result: reason });
  }

  refused(route: string, reason: string): void {
    this.#refusals.inc({ route, reason });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
