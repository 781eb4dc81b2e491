// The team policy on the Policy page: which team and feed, the version in force and whether it is enforced, the
// last and next sync, the last alert, local rules that run into the team's (they have no effect on those calls),
// the team's settings and its catalog of approved servers. Adding a server from the catalog is done by hand for
// now (switchboard server add), as the catalog entry says.
import type { TeamPolicyView } from '../../../../preload/contract.ts';
import { formatDate } from '../../ui/format.ts';

const STATE_TEXT: Readonly<Record<TeamPolicyView['state'], string>> = {
  pending: 'waiting for the first document: every call is refused',
  active: 'in force',
  stale: 'stale: past its expiry',
  refused: 'the cached document was refused: every call is refused until a valid sync',
};

export function TeamPolicySection({ team }: { team: TeamPolicyView }) {
  const last = team.lastSync;
  const facts: [string, string][] = [
    ['Team', team.team],
    ['Feed', team.url],
    [
      'State',
      `${STATE_TEXT[team.state]}${team.state === 'stale' && team.enforced === 'closed' ? '; every call is refused' : ''}`,
    ],
    ['Version', team.version === null ? 'none in force' : String(team.version)],
    ['Expires', formatDate(team.expiresAt)],
    [
      'Last sync',
      last === null ? 'none yet' : `${formatDate(last.at)}: ${last.outcome}${last.message ? ` (${last.message})` : ''}`,
    ],
    ['Next sync', team.nextSyncAt === null ? '—' : formatDate(team.nextSyncAt)],
  ];
  const settings = team.settings;
  return (
    <section aria-label="Team policy">
      <h3>Team policy</h3>
      {team.lastAlert !== null && (
        <p className="error-note" role="alert">
          Last alert ({team.lastAlert.reason}, {formatDate(team.lastAlert.at)}): {team.lastAlert.message}
        </p>
      )}
      {settings?.appOutdated === true && (
        <p className="error-note" role="alert">
          This app is older than {settings.minAppVersion}, the oldest the team policy accepts.
        </p>
      )}
      <dl className="facts">
        {facts.map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>{value}</dd>
          </div>
        ))}
        {settings !== null && (
          <>
            <div>
              <dt>Audit retention</dt>
              <dd>
                {settings.auditRetention.retentionDays ?? '—'} days, {settings.auditRetention.maxRows ?? '—'} records
                (the stricter of these and config.json's applies)
              </dd>
            </div>
            <div>
              <dt>Audit upload</dt>
              <dd>{settings.auditUploadUrl ?? 'none'}</dd>
            </div>
          </>
        )}
      </dl>
      {team.conflicts.length > 0 && (
        <section aria-label="Conflicts">
          <h4>Local rules the team overrides</h4>
          <ul>
            {team.conflicts.map((c) => (
              <li key={`${c.local}:${c.team}`}>{c.message}</li>
            ))}
          </ul>
        </section>
      )}
      {settings !== null && <Catalog catalog={settings.catalog} />}
    </section>
  );
}

function Catalog({ catalog }: { catalog: NonNullable<TeamPolicyView['settings']>['catalog'] }) {
  const entries = Object.entries(catalog);
  return (
    <section aria-label="Approved servers">
      <h4>Approved servers</h4>
      {entries.length === 0 ? (
        <p className="muted">The team lists no servers.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">Runs</th>
                <th scope="col">Pinned packages</th>
                <th scope="col">Secrets</th>
              </tr>
            </thead>
            <tbody>
              {entries.map(([name, s]) => (
                <tr key={name}>
                  <th scope="row" className="mono">
                    {name}
                  </th>
                  <td className="mono">{s.url ?? [s.command, ...s.args].join(' ')}</td>
                  <td className="mono">
                    {Object.entries(s.packages)
                      .map(([pkg, version]) => `${pkg}@${version}`)
                      .join(', ') || '—'}
                  </td>
                  <td className="mono">{s.secrets.join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
