// What tool lint flags in a tool's definition (docs/policy.md, "Tool lint"): each finding with its severity, rule
// id and JSON path, so the person choosing policy.toolQuality sees what a rule would hide; and a short count for
// the tool list.
import type { LintFindingView } from '../../../../preload/contract.ts';

const BADGE: Record<LintFindingView['severity'], string> = {
  error: 'badge badge-error',
  warning: 'badge badge-warn',
  info: 'badge badge-muted',
};

export function ToolLintFindings({ findings }: { findings: readonly LintFindingView[] }) {
  return (
    <section className="tool-lint" aria-label="Tool lint">
      <h4>Tool lint</h4>
      {findings.length === 0 ? (
        <p className="muted">Nothing to flag.</p>
      ) : (
        <ul className="plain-list">
          {findings.map((finding) => (
            <li key={`${finding.rule} ${finding.path}`}>
              <span className={BADGE[finding.severity]}>{finding.severity}</span> <code>{finding.rule}</code>{' '}
              {finding.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** "2 lint" beside a tool's name, coloured by its worst finding; nothing when there is none. */
export function LintCount({ findings }: { findings: readonly LintFindingView[] }) {
  if (findings.length === 0) return null;
  const worst = findings.some((f) => f.severity === 'error')
    ? 'error'
    : findings.some((f) => f.severity === 'warning')
      ? 'warning'
      : 'info';
  const rules = [...new Set(findings.map((f) => f.rule))].join(', ');
  return (
    <span className={BADGE[worst]} title={`Tool lint: ${rules}`}>
      {findings.length} lint
    </span>
  );
}
