import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ClientsPage } from '../../../src/pages/clients/clients-page.tsx';
import { FakeCore, ideClient } from '../../fake-control-api.ts';
import { renderWith } from '../../render-app.tsx';

function coreWithClients(): FakeCore {
  const core = new FakeCore();
  core.ideClientList = [
    ideClient('cursor', 'not-connected'),
    ideClient('vscode', 'connected', { label: 'VS Code', entry: 'stdio' }),
    ideClient('zed', 'stale', { reason: 'its token was revoked', entry: 'stdio' }),
    ideClient('windsurf', 'not-installed'),
  ];
  core.clientsView = {
    tokens: [{ name: 'vscode', created: '2026-11-01T00:00:00.000Z', expires: null, revoked: false }],
    sessions: [{ client: 'vscode', sessions: 2 }],
  };
  return core;
}

async function rowOf(label: string): Promise<HTMLElement> {
  const table = (await screen.findByText('IDE clients on this machine')).closest('section');
  if (table === null) throw new Error('no section');
  const cell = await within(table).findByRole('rowheader', { name: new RegExp(`^${label}`) });
  const row = cell.closest('tr');
  if (row === null) throw new Error(`no row for ${label}`);
  return row;
}

/** The row under a client's row: what its last action came to. */
function outcomeOf(row: HTMLElement): HTMLElement {
  const next = row.nextElementSibling;
  if (!(next instanceof HTMLElement) || !next.classList.contains('outcome-row')) throw new Error('no outcome row');
  return next;
}

describe('Clients page', () => {
  it('shows each detected client with its state and reason, beside the tokens and sessions', async () => {
    renderWith(coreWithClients(), <ClientsPage />);
    const zed = await rowOf('Zed');
    expect(within(zed).getByText('needs repair')).toBeTruthy();
    expect(within(zed).getByText('its token was revoked')).toBeTruthy();
    expect(within(zed).getByRole('button', { name: 'Repair' })).toBeTruthy();
    expect(within(await rowOf('Cursor')).getByText('not connected')).toBeTruthy();
    expect(within(await rowOf('VS Code')).getByText('connected')).toBeTruthy();
    const windsurf = await rowOf('Windsurf');
    expect(within(windsurf).getByText('not installed')).toBeTruthy();
    expect(within(windsurf).queryAllByRole('button')).toEqual([]);
    const token = (await screen.findByText('active')).closest('tr');
    expect(token?.textContent).toContain('vscode');
    expect(token?.textContent).toContain('2');
  });

  it('connects, repairs, checks and disconnects with the right calls, and shows the reload hint', async () => {
    const core = coreWithClients();
    core.doctorResults.set('vscode', {
      client: 'vscode',
      file: '/home/me/.vscode/mcp.json',
      ok: false,
      checks: [
        { name: 'entry', ok: true, detail: 'our entry is in the file' },
        { name: 'gateway', ok: false, detail: 'the gateway answered 401' },
      ],
      tools: ['fs__read_file', 'fs__write_file'],
    });
    renderWith(core, <ClientsPage />);
    fireEvent.click(within(await rowOf('Cursor')).getByRole('button', { name: 'Connect' }));
    await waitFor(() => expect(core.askedFor('connectClient')).toEqual([{ id: 'cursor' }]));
    const cursor = await rowOf('Cursor');
    await waitFor(() => expect(within(cursor).getByText('connected')).toBeTruthy());
    expect(outcomeOf(cursor).textContent).toContain('Restart Cursor to load the new entry.');
    expect(outcomeOf(cursor).textContent).toContain('/home/me/.cursor/mcp.json.switchboard-backup');

    fireEvent.click(within(await rowOf('Zed')).getByRole('button', { name: 'Repair' }));
    await waitFor(() => expect(core.askedFor('connectClient')).toEqual([{ id: 'cursor' }, { id: 'zed' }]));

    fireEvent.click(within(await rowOf('VS Code')).getByRole('button', { name: 'Check' }));
    await waitFor(() => expect(core.askedFor('doctorClient')).toEqual([{ id: 'vscode' }]));
    const check = await screen.findByRole('status', { name: 'Check of VS Code' });
    const items = within(check).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      'ok entry: our entry is in the file',
      'fail gateway: the gateway answered 401',
    ]);
    expect(check.textContent).toContain('fs__read_file, fs__write_file');

    const vscode = await rowOf('VS Code');
    fireEvent.click(within(vscode).getByRole('button', { name: 'Disconnect' }));
    expect(core.askedFor('disconnectClient')).toEqual([]);
    fireEvent.click(within(vscode).getByRole('button', { name: 'Confirm disconnect' }));
    await waitFor(() => expect(core.askedFor('disconnectClient')).toEqual([{ id: 'vscode' }]));
    await waitFor(async () => expect(within(await rowOf('VS Code')).getByText('not connected')).toBeTruthy());
    expect(outcomeOf(await rowOf('VS Code')).textContent).toContain('Its token is revoked.');
  });

  it('shows a refusal under the client it concerns', async () => {
    const core = coreWithClients();
    core.answer('connectClient', () => ({
      ok: false,
      error: '/home/me/.cursor/mcp.json does not parse: line 3, column 5: expected a comma',
    }));
    core.answer('doctorClient', () => ({ ok: false, error: 'the bridge could not start' }));
    renderWith(core, <ClientsPage />);
    fireEvent.click(within(await rowOf('Cursor')).getByRole('button', { name: 'Connect' }));
    const cursor = await rowOf('Cursor');
    await waitFor(() => expect(within(outcomeOf(cursor)).getByRole('alert').textContent).toContain('line 3, column 5'));
    expect(within(cursor).getByText('not connected')).toBeTruthy();
    fireEvent.click(within(await rowOf('Zed')).getByRole('button', { name: 'Check' }));
    const zed = await rowOf('Zed');
    await waitFor(() =>
      expect(within(outcomeOf(zed)).getByRole('alert').textContent).toBe(
        'Check Zed failed: the bridge could not start',
      ),
    );
    expect(within(outcomeOf(cursor)).getByRole('alert')).toBeTruthy();
  });

  it('shows a URL connection token once, and keeps it in no store', async () => {
    const core = coreWithClients();
    const { stores } = renderWith(core, <ClientsPage />);
    fireEvent.click(await screen.findByLabelText('Connect by URL and token instead of the bridge command'));
    fireEvent.click(within(await rowOf('Cursor')).getByRole('button', { name: 'Connect' }));
    await waitFor(() => expect(core.askedFor('connectClient')).toEqual([{ id: 'cursor', url: true }]));
    const token = 'sbt_cursor_0123456789abcdefghijklmnopqrstuv';
    const panel = await screen.findByRole('region', { name: 'Token for Cursor' });
    expect((within(panel).getByLabelText('Token') as HTMLInputElement).value).toBe(token);
    expect(panel.textContent).toContain('Shown once');
    expect(panel.textContent).toContain('Restart Cursor to load the new entry.');
    expect(JSON.stringify(Object.values(stores).map((s) => s.getState()))).not.toContain(token);

    fireEvent.click(within(panel).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('region', { name: 'Token for Cursor' })).toBeNull();
    expect(document.body.outerHTML).not.toContain(token);
    expect(within(await rowOf('Cursor')).getByText('(URL)')).toBeTruthy();
  });

  it('repairs a stale URL entry as a URL entry, with a new token shown once', async () => {
    const core = coreWithClients();
    core.ideClientList = [ideClient('cline', 'stale', { entry: 'url', reason: 'someone edited the entry' })];
    renderWith(core, <ClientsPage />);
    fireEvent.click(within(await rowOf('Cline')).getByRole('button', { name: 'Repair' }));
    await waitFor(() => expect(core.askedFor('connectClient')).toEqual([{ id: 'cline', url: true }]));
    expect(await screen.findByRole('region', { name: 'Token for Cline' })).toBeTruthy();
  });
});
