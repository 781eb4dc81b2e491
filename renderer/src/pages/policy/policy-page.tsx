// Policy: the policy in force and where it comes from, read only (it is written in config.json's `policy`, which
// the running gateway follows): the settings, the rules in the order they are tried, toolsets per client, rate
// limits and concurrency caps. When enrolled in a team policy, where it stands and the team's rules come first
// (team-policy-section.tsx); a call must pass the team's rules and the local ones.
import { useStore } from 'zustand';
import { useStores } from '../../app/stores-context.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { Page, useReadOnOpen } from '../../ui/page.tsx';
import { policyModel, type PolicyModel } from './policy-model.ts';
import { TeamPolicySection } from './team-policy-section.tsx';

const ACTION_BADGE: Readonly<Record<string, string>> = {
  allow: 'badge badge-ok',
  confirm: 'badge badge-warn',
  deny: 'badge badge-error',
};

function ActionBadge({ action }: { action: string }) {
  return <span className={ACTION_BADGE[action] ?? 'badge'}>{action}</span>;
}

function globs(list: readonly string[] | null): string {
  return list === null ? 'any' : list.join(', ');
}

export function PolicyPage() {
  const stores = useStores();
  const view = useStore(stores.policy, (s) => s.value);
  const error = useStore(stores.policy, (s) => s.error);
  const refresh = useStore(stores.policy, (s) => s.refresh);

  useReadOnOpen(refresh);

  const model = view === null ? null : policyModel(view.policy);
  return (
    <Page
      title="Policy"
      actions={
        <button type="button" onClick={() => void refresh()}>
          Refresh
        </button>
      }
    >
      <ErrorNote error={error} />
      {view !== null && model !== null && (
        <>
          <section className="help" aria-label="Source">
            <p>
              <strong>Source: {view.team === null ? 'local' : `local and team (${view.team.url})`}</strong>. The local
              policy is the <code>policy</code> section of this machine's <code>config.json</code>; edit it there and
              the running gateway follows the file.{' '}
              {view.team === null
                ? 'This machine is not enrolled in a team policy (switchboard policy enroll).'
                : "A call must pass the team's policy and the local one: local rules can only narrow the team's."}
            </p>
          </section>
          {view.team !== null && <TeamPolicySection team={view.team} />}
          {view.team !== null && view.team.policy !== null && (
            <Rules model={policyModel(view.team.policy)} origin="team" />
          )}
          <Settings model={model} />
          <Rules model={model} origin="local" />
          <Toolsets model={model} />
          <Limits model={model} />
        </>
      )}
    </Page>
  );
}

function Settings({ model }: { model: PolicyModel }) {
  const facts: [string, string][] = [
    ['Default action', `${model.defaultAction} (for calls no rule matches)`],
    ['Read-only mode', model.readOnly ? 'on: only tools a trusted server marks read-only' : 'off'],
    ['Destructive tools', model.destructive],
    ['Trusted servers', model.trustedServers.length === 0 ? 'none' : model.trustedServers.join(', ')],
    ['Argument validation', model.validateArguments ? "on: against each tool's input schema" : 'off'],
    ...model.argumentLimits.map(([key, value]): [string, string] => [`Limit: ${key}`, value]),
    ['Confirmation timeout', model.confirmTimeoutMs === null ? '—' : `${String(model.confirmTimeoutMs / 1000)} s`],
  ];
  return (
    <section aria-label="Settings">
      <h3>Settings</h3>
      <dl className="facts">
        {facts.map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Rules({ model, origin }: { model: PolicyModel; origin: 'local' | 'team' }) {
  const prefix = origin === 'team' ? 'team:' : '';
  return (
    <section aria-label={origin === 'team' ? 'Team rules' : 'Rules'}>
      <h3>{origin === 'team' ? 'Team rules (from the team policy)' : 'Rules (local, config.json)'}</h3>
      <p className="muted">
        Tried in this order; the first rule that matches a call decides it. A call no rule matches is{' '}
        {model.defaultAction === 'deny' ? 'denied' : 'allowed'}.
      </p>
      {model.rules.length === 0 ? (
        <p className="muted">No rules: every call gets the default action, within the settings above.</p>
      ) : (
        <div className="table-wrap">
          <table className="policy-rules">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Rule</th>
                <th scope="col">Clients</th>
                <th scope="col">Servers</th>
                <th scope="col">Tools, prompts, resources</th>
                <th scope="col">Action</th>
                <th scope="col">Arguments</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {model.rules.map((rule, index) => (
                <tr key={`${String(index)}:${rule.id}`}>
                  <td className="num">{index + 1}</td>
                  <th scope="row" className="mono">
                    {prefix}
                    {rule.id}
                  </th>
                  <td className="mono">{globs(rule.clients)}</td>
                  <td className="mono">{globs(rule.servers)}</td>
                  <td className="mono">{globs(rule.targets)}</td>
                  <td>
                    <ActionBadge action={rule.action} />
                  </td>
                  <td className="mono">
                    {rule.arguments.length === 0 ? (
                      <span className="muted">any</span>
                    ) : (
                      <ul className="plain-list">
                        {rule.arguments.map((line) => (
                          <li key={line}>{line}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>{rule.reason ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Toolsets({ model }: { model: PolicyModel }) {
  return (
    <section aria-label="Toolsets">
      <h3>Toolsets per client</h3>
      {model.toolsets.length === 0 ? (
        <p className="muted">No toolsets: every client sees every tool.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Servers</th>
                <th scope="col">Further tools</th>
                <th scope="col">Read-only</th>
              </tr>
            </thead>
            <tbody>
              {model.toolsets.map((set) => (
                <tr key={set.client}>
                  <th scope="row" className="mono">
                    {set.client === '*' ? '* (clients not named)' : set.client}
                  </th>
                  <td className="mono">{set.servers === null ? 'none' : set.servers.join(', ')}</td>
                  <td className="mono">{set.tools === null ? 'none' : set.tools.join(', ')}</td>
                  <td>{set.readOnly ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Limits({ model }: { model: PolicyModel }) {
  return (
    <section aria-label="Rate limits and concurrency">
      <h3>Rate limits</h3>
      {model.rateLimits.length === 0 ? (
        <p className="muted">No rate limits.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Limit</th>
                <th scope="col">Clients</th>
                <th scope="col">Servers</th>
                <th scope="col">Tools, prompts, resources</th>
                <th scope="col">Counted per</th>
                <th scope="col">Rate</th>
                <th scope="col">Burst</th>
              </tr>
            </thead>
            <tbody>
              {model.rateLimits.map((limit, index) => (
                <tr key={`${String(index)}:${limit.id}`}>
                  <th scope="row" className="mono">
                    {limit.id}
                  </th>
                  <td className="mono">{globs(limit.clients)}</td>
                  <td className="mono">{globs(limit.servers)}</td>
                  <td className="mono">{globs(limit.targets)}</td>
                  <td>{limit.each.join(' and ')}</td>
                  <td>{limit.rate}</td>
                  <td className="num">{limit.burst ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Concurrency caps</h3>
      {model.concurrency.length === 0 ? (
        <p className="muted">No caps: a server takes as many calls at once as clients send.</p>
      ) : (
        <dl className="facts">
          {model.concurrency.map(([server, cap]) => (
            <div key={server}>
              <dt className="mono">{server === '*' ? '* (servers not named)' : server}</dt>
              <dd>
                {cap} call{cap === 1 ? '' : 's'} at once
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
