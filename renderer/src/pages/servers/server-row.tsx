// One server in the list: its state in colour and words, counters, and what can be done with it.
import { useStore } from 'zustand';
import type { ServerView } from '../../../../preload/contract.ts';
import { useStores } from '../../app/stores-context.tsx';
import { ConfirmButton } from '../../ui/confirm-button.tsx';
import { formatBytes, formatDuration } from '../../ui/format.ts';
import { actionsFor, stateDetail, uptime } from './server-state.ts';

export function ServerRow({ server, now }: { server: ServerView; now: number }) {
  const stores = useStores();
  const busy = useStore(stores.servers, (s) => s.busy[server.name]);
  const rowError = useStore(stores.servers, (s) => s.rowErrors[server.name]);
  const act = useStore(stores.servers, (s) => s.act);
  const remove = useStore(stores.servers, (s) => s.remove);
  const openPanel = useStore(stores.servers, (s) => s.openPanel);
  const signIn = useStore(stores.servers, (s) => s.signIn);
  const signInPage = useStore(stores.servers, (s) => s.signInPages[server.name]);
  const openLogs = useStore(stores.logs, (s) => s.open);
  const { state } = server;
  const allowed = actionsFor(state);
  const detail = stateDetail(state, now);
  return (
    <tr className="server-row">
      <th scope="row">
        <span className="server-name">{server.name}</span>
        <small className="muted">
          {server.transport}
          {server.era === null ? '' : `, ${server.era}`}
          {server.enabled ? '' : ', disabled'}
          {server.start === 'on-demand' ? ', on demand' : ''}
        </small>
      </th>
      <td>
        <span className={`state state-${state.state}`}>
          <span className="dot" aria-hidden="true" />
          {state.state}
        </span>
      </td>
      <td className="detail">
        <span title={detail}>{detail || '—'}</span>
        {server.slowStart && server.lastStartMs !== null && (
          <span className="warning-note">
            Slow to start ({formatDuration(server.lastStartMs)}): a first call waits for it. Start it ahead of use, or
            switch it to always running in Edit.
          </span>
        )}
        {state.state === 'blocked' && state['reason'] === 'login-required' && (
          <button
            type="button"
            className="primary"
            disabled={busy !== undefined}
            onClick={() => void signIn(server.name)}
          >
            {busy === 'sign-in' ? 'Waiting for the browser…' : 'Log in'}
          </button>
        )}
        {busy === 'sign-in' && signInPage !== undefined && (
          <span className="muted">
            No browser? Open{' '}
            <a href={signInPage} target="_blank" rel="noreferrer noopener">
              the sign-in page
            </a>{' '}
            on this machine.
          </span>
        )}
        {state.state === 'blocked' && state['reason'] === 'approval-required' && (
          <button type="button" className="primary" onClick={() => openPanel({ mode: 'approve', name: server.name })}>
            Review command
          </button>
        )}
        {rowError !== undefined && (
          <span className="error-note" role="alert">
            {rowError}
          </span>
        )}
      </td>
      <td>{uptime(state, now)}</td>
      <td className="num">{server.restarts}</td>
      <td className="num">{server.usage === null ? '—' : `${server.usage.cpuPercent.toFixed(1)} %`}</td>
      <td className="num">{formatBytes(server.usage?.rssBytes)}</td>
      <td className="num">{server.tools}</td>
      <td className="actions">
        <button type="button" disabled={!allowed.start || busy !== undefined} onClick={() => act(server.name, 'start')}>
          Start
        </button>
        <button type="button" disabled={!allowed.stop || busy !== undefined} onClick={() => act(server.name, 'stop')}>
          Stop
        </button>
        <button
          type="button"
          disabled={!allowed.restart || busy !== undefined}
          onClick={() => act(server.name, 'restart')}
        >
          Restart
        </button>
        <button type="button" onClick={() => void openLogs(server.name)}>
          Logs
        </button>
        <button type="button" onClick={() => openPanel({ mode: 'edit', name: server.name })}>
          Edit
        </button>
        <ConfirmButton
          label="Remove"
          question={`Remove ${server.name}?`}
          disabled={busy !== undefined}
          onConfirm={() => void remove(server.name)}
        />
      </td>
    </tr>
  );
}
