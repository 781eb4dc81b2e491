import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ServersPage } from '../../../src/pages/servers/servers-page.tsx';
import { FakeCore, serverView } from '../../fake-control-api.ts';
import { renderWith } from '../../render-app.tsx';

function coreWithServers(): FakeCore {
  const core = new FakeCore();
  core.servers = [
    serverView(
      'everything',
      { state: 'running', since: Date.now() - 90_000, pid: 42 },
      {
        restarts: 2,
        tools: 11,
        usage: { cpuPercent: 3.25, rssBytes: 50 * 1024 * 1024 },
      },
    ),
    serverView(
      'docs',
      { state: 'failed', reason: 'crash-loop', message: 'crashed 5 times in 60 s' },
      {
        transport: 'http',
        era: null,
      },
    ),
  ];
  return core;
}

async function rowOf(name: string): Promise<HTMLElement> {
  const cell = await screen.findByText(name, { selector: '.server-name' });
  const row = cell.closest('tr');
  if (row === null) throw new Error(`no row for ${name}`);
  return row;
}

describe('Servers page', () => {
  it('shows each server as a row with its state, health and counters', async () => {
    renderWith(coreWithServers(), <ServersPage />);
    const running = await rowOf('everything');
    expect(running.getAttribute('role') ?? 'row').toBe('row');
    expect(screen.getAllByRole('row').some((row) => row === running)).toBe(true);
    expect(within(running).getByText('running')).toBeTruthy();
    expect(within(running).getByText('healthy')).toBeTruthy();
    expect(within(running).getByText('3.3 %')).toBeTruthy();
    expect(within(running).getByText('50 MiB')).toBeTruthy();
    expect(within(running).getByText('11')).toBeTruthy();
    expect(within(running).getByText(/^1 min 3\d s$/)).toBeTruthy();
    const failed = await rowOf('docs');
    expect(within(failed).getByText('failed')).toBeTruthy();
    expect(within(failed).getByText('crashed 5 times in 60 s')).toBeTruthy();
    expect((within(failed).getByRole('button', { name: 'Start' }) as HTMLButtonElement).disabled).toBe(false);
    expect((within(running).getByRole('button', { name: 'Start' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('sends the action of the button pressed and shows a refusal in the row', async () => {
    const core = coreWithServers();
    core.answer('serverAction', ({ name }) =>
      name === 'docs'
        ? { ok: false, error: 'docs is blocked: secret DOCS_TOKEN is missing' }
        : { ok: true, value: null },
    );
    renderWith(core, <ServersPage />);
    fireEvent.click(within(await rowOf('everything')).getByRole('button', { name: 'Restart' }));
    fireEvent.click(within(await rowOf('docs')).getByRole('button', { name: 'Start' }));
    await waitFor(() =>
      expect(core.askedFor('serverAction')).toEqual([
        { name: 'everything', action: 'restart' },
        { name: 'docs', action: 'start' },
      ]),
    );
    expect(within(await rowOf('docs')).getByRole('alert').textContent).toContain('secret DOCS_TOKEN is missing');
  });

  it('follows state events', async () => {
    const core = coreWithServers();
    renderWith(core, <ServersPage />);
    await rowOf('everything');
    act(() =>
      core.emit({ type: 'server-state', server: 'everything', state: { state: 'backoff', retryAt: 0, attempt: 1 } }),
    );
    expect(within(await rowOf('everything')).getByText('backoff')).toBeTruthy();
  });

  it('removes a server only after the confirmation', async () => {
    const core = coreWithServers();
    renderWith(core, <ServersPage />);
    fireEvent.click(within(await rowOf('docs')).getByRole('button', { name: 'Remove' }));
    expect(core.askedFor('removeServer')).toEqual([]);
    fireEvent.click(within(await rowOf('docs')).getByRole('button', { name: 'Confirm remove' }));
    await waitFor(() => expect(core.askedFor('removeServer')).toEqual([{ name: 'docs' }]));
    await waitFor(() => expect(screen.queryByText('docs', { selector: '.server-name' })).toBeNull());
  });

  it('shows an idle on-demand server as startable, and marks one slow to start', async () => {
    const core = new FakeCore();
    core.servers = [
      serverView('memory', { state: 'idle' }, { start: 'on-demand', lastStartMs: 6_500, slowStart: true }),
      serverView('quick', { state: 'idle' }, { start: 'on-demand', lastStartMs: 300, slowStart: false }),
    ];
    renderWith(core, <ServersPage />);
    const slow = await rowOf('memory');
    expect(within(slow).getByText('stopped, starts on use')).toBeTruthy();
    expect(within(slow).getByText(/Slow to start/)).toBeTruthy();
    expect((within(slow).getByRole('button', { name: /^Start$/ }) as HTMLButtonElement).disabled).toBe(false);
    expect((within(slow).getByRole('button', { name: 'Stop' }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(await rowOf('quick')).queryByText(/Slow to start/)).toBeNull();
  });

  it('tells a new user to add a server when there is none', async () => {
    renderWith(new FakeCore(), <ServersPage />);
    const empty = await screen.findByRole('region', { name: 'No servers yet' });
    expect(empty.textContent).toContain('Add server');
    expect(screen.getAllByRole('button', { name: 'Add server' })).toHaveLength(1);
  });

  it('tails the log of a server', async () => {
    const core = coreWithServers();
    core.logLines.set('everything', ['started', 'listening']);
    renderWith(core, <ServersPage />);
    fireEvent.click(within(await rowOf('everything')).getByRole('button', { name: 'Logs' }));
    const log = await screen.findByRole('log');
    await waitFor(() => expect(log.textContent).toBe('started\nlistening'));
    act(() => core.emit({ type: 'log', server: 'everything', line: 'a new line' }));
    act(() => core.emit({ type: 'log', server: 'docs', line: 'not this one' }));
    expect(log.textContent).toBe('started\nlistening\na new line');
  });
});
