// One team record whole, beside the table: whose it is and from which install, the policy decision and the
// (masked) arguments as the member's desktop sent them.
import type { TeamAuditRecordView } from '../../../../preload/team-contract.ts';
import { formatDuration, formatTime } from '../../ui/format.ts';
import { RecordFacts } from '../../ui/record-facts.tsx';
import { outcomeClass } from '../calls/outcomes.ts';

export function TeamRecord({ record, onClose }: { record: TeamAuditRecordView; onClose: () => void }) {
  const facts: readonly [string, string][] = [
    ['Time', formatTime(record.ts)],
    ['Member', record.member],
    ['Install', record.install],
    ['Record', String(record.localId)],
    ['Kind', record.kind],
    ['Method', record.method ?? '—'],
    ['Server', record.server ?? '—'],
    ['Target', record.target ?? '—'],
    ['Client', record.client ?? '—'],
    ['Decision', record.decision ?? '—'],
    ['Rule', record.rule ?? '—'],
    ['Latency', formatDuration(record.durationMs)],
  ];
  return (
    <aside
      className="drawer"
      role="dialog"
      aria-label="Record details"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <header className="panel-header">
        <h3>
          <span className={outcomeClass(record.outcome)}>{record.outcome}</span>
        </h3>
        <button type="button" onClick={onClose} autoFocus>
          Close
        </button>
      </header>
      <div className="drawer-body">
        <RecordFacts facts={facts} args={record.arguments} error={record.error} />
      </div>
    </aside>
  );
}
