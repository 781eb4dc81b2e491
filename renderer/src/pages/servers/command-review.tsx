// A command waiting for approval (T77): a server from an import, the team policy or a link runs only once a person
// has read its exact command here. Shown verbatim, one argument per line, environment names and cwd, with each
// risky part named; Approve approves exactly what is shown (its fingerprint), so a command that changed meanwhile
// is refused and shown again.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { ServerApprovalView } from '../../../../preload/contract.ts';
import { useStores } from '../../app/stores-context.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';

export function CommandReview({ name }: { name: string }) {
  const stores = useStores();
  const loadApproval = useStore(stores.servers, (s) => s.loadApproval);
  const decide = useStore(stores.servers, (s) => s.decide);
  const openPanel = useStore(stores.servers, (s) => s.openPanel);
  const [review, setReview] = useState<ServerApprovalView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Bumped to read the command again, after a refused approval.
  const [reads, setReads] = useState(0);
  useEffect(() => {
    let live = true;
    void loadApproval(name).then((answer) => {
      if (!live) return;
      if (answer.ok) setReview(answer.value);
      else setError(answer.error);
    });
    return () => {
      live = false;
    };
  }, [name, loadApproval, reads]);

  const act = async (decision: { approve: string } | 'decline'): Promise<void> => {
    setBusy(true);
    const answer = await decide(name, decision);
    setBusy(false);
    if (!answer.ok) {
      setError(answer.error);
      setReads((n) => n + 1);
    }
  };

  return (
    <section className="panel command-review" aria-label={`Command of ${name}`}>
      <h3>Review the command of {name}</h3>
      <ErrorNote error={error} />
      {review !== null && (
        <>
          <p>
            It came from <strong>{review.origin === 'link' ? 'a link' : `the ${review.origin}`}</strong> and does not
            run until you approve this exact command. Anything in it changing later asks again.
          </p>
          <ol className="argv mono" aria-label="Command line">
            {review.argv.map((arg, index) => (
              <li key={index}>{JSON.stringify(arg)}</li>
            ))}
          </ol>
          <dl className="facts">
            <dt>Environment</dt>
            <dd className="mono">{review.env.length === 0 ? 'none' : review.env.join(', ')}</dd>
            <dt>Working directory</dt>
            <dd className="mono">{review.cwd ?? 'not set'}</dd>
          </dl>
          {review.risks.length === 0 ? (
            <p className="muted">Nothing in it looks risky; read it all the same.</p>
          ) : (
            <ul className="plain-list" aria-label="Risks">
              {review.risks.map((risk, index) => (
                <li key={index} className="warning">
                  <strong>{risk.where}</strong>: {risk.what}
                </li>
              ))}
            </ul>
          )}
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={busy || review.approved}
              onClick={() => void act({ approve: review.fingerprint })}
            >
              Approve and run
            </button>
            <button type="button" disabled={busy} onClick={() => void act('decline')}>
              Decline
            </button>
            <button type="button" onClick={() => openPanel(null)}>
              Close
            </button>
          </div>
        </>
      )}
    </section>
  );
}
