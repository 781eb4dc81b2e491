import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ServersPage } from '../../../src/pages/servers/servers-page.tsx';
import { FakeCore, ideClient, serverView } from '../../fake-control-api.ts';
import { renderWith } from '../../render-app.tsx';

const GITHUB_VALUE = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';

function firstRunCore(): FakeCore {
  const core = new FakeCore();
  core.ideClientList = [
    ideClient('claude-desktop', 'not-connected', { label: 'Claude Desktop' }),
    ideClient('cursor', 'not-connected'),
    ideClient('zed', 'not-installed'),
  ];
  core.clientFileSecrets.set('GITHUB_PERSONAL_ACCESS_TOKEN', GITHUB_VALUE);
  core.importPreviews.set('claude-desktop', {
    servers: [
      {
        source: 'github',
        name: 'github',
        runs: 'npx -y @modelcontextprotocol/server-github (env GITHUB_PERSONAL_ACCESS_TOKEN=${secret:GITHUB_PERSONAL_ACCESS_TOKEN})',
        secrets: ['GITHUB_PERSONAL_ACCESS_TOKEN'],
        moved: ['env.GITHUB_PERSONAL_ACCESS_TOKEN → ${secret:GITHUB_PERSONAL_ACCESS_TOKEN}'],
        notes: [],
      },
      {
        source: 'fs',
        name: 'fs',
        runs: 'npx -y @modelcontextprotocol/server-filesystem /home/me/src',
        secrets: [],
        moved: [],
        notes: [],
      },
      {
        source: 'memory server',
        name: 'memory-server',
        runs: 'npx -y @modelcontextprotocol/server-memory',
        secrets: [],
        moved: [],
        notes: ['renamed: server names hold letters, digits, - and _'],
      },
    ],
    skipped: [{ source: 'broken', reason: 'it has neither a command nor a URL' }],
  });
  return core;
}

function everythingShown(): string {
  const inputs = [...document.querySelectorAll('input, textarea')].map((el) => (el as HTMLInputElement).value);
  return document.body.outerHTML + inputs.join('\n');
}

describe('First run: import from a detected client', () => {
  it('previews by name, never a secret value, imports the chosen servers and offers to connect', async () => {
    const core = firstRunCore();
    renderWith(core, <ServersPage />);
    expect(await screen.findByRole('region', { name: 'No servers yet' })).toBeTruthy();
    fireEvent.click(await screen.findByRole('button', { name: 'Import from Claude Desktop (3)' }));
    expect(screen.queryByRole('button', { name: /Import from Cursor/ })).toBeNull();
    await waitFor(() => expect(core.askedFor('importPreview')).toEqual([{ id: 'claude-desktop' }, { id: 'cursor' }]));

    const form = screen.getByRole('form', { name: 'Import from Claude Desktop' });
    const github = within(form).getByRole('rowheader', { name: 'github' }).closest('tr');
    if (github === null) throw new Error('no github row');
    expect(github.textContent).toContain('GITHUB_PERSONAL_ACCESS_TOKEN');
    expect(github.textContent).toContain('server-github');
    expect(within(form).getByText(/renamed: server names/)).toBeTruthy();
    expect(within(form).getByText('broken is left out: it has neither a command nor a URL')).toBeTruthy();
    expect(everythingShown()).not.toContain(GITHUB_VALUE);

    fireEvent.click(within(form).getByLabelText('fs'));
    fireEvent.click(within(form).getByRole('button', { name: 'Import 2 servers' }));
    await waitFor(() =>
      expect(core.askedFor('importApply')).toEqual([
        { id: 'claude-desktop', only: ['github', 'memory server'], replace: false },
      ]),
    );
    const done = await screen.findByRole('region', { name: 'Import done' });
    expect(done.textContent).toContain('Added github, memory-server.');
    expect(done.textContent).toContain('Moved to the keychain: GITHUB_PERSONAL_ACCESS_TOKEN.');
    expect(core.vault.get('GITHUB_PERSONAL_ACCESS_TOKEN')).toBe(GITHUB_VALUE);
    expect(await screen.findByText('memory-server', { selector: '.server-name' })).toBeTruthy();

    fireEvent.click(within(done).getByRole('button', { name: 'Connect Claude Desktop' }));
    await waitFor(() => expect(core.askedFor('connectClient')).toEqual([{ id: 'claude-desktop' }]));
    expect(await within(done).findByText(/Restart Claude Desktop to load the new entry/)).toBeTruthy();
    expect(everythingShown()).not.toContain(GITHUB_VALUE);
    fireEvent.click(within(done).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('region', { name: 'Import done' })).toBeNull();
  });

  it('says when replacing the entries already connected the client, and shows a refusal in the form', async () => {
    const core = firstRunCore();
    renderWith(core, <ServersPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Import from Claude Desktop (3)' }));
    const form = screen.getByRole('form', { name: 'Import from Claude Desktop' });
    core.answer('importApply', () => ({ ok: false, error: 'the keychain is locked: unlock it and import again' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Import 3 servers' }));
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toContain('the keychain is locked'));

    core.answer('importApply', (input) => ({
      ok: true,
      value: { added: ['github', 'fs', 'memory-server'], secrets: [], replaced: input.replace },
    }));
    fireEvent.click(within(form).getByLabelText("Replace Claude Desktop's entries with Switchboard"));
    fireEvent.click(within(form).getByRole('button', { name: 'Import 3 servers' }));
    const done = await screen.findByRole('region', { name: 'Import done' });
    expect(core.askedFor('importApply').at(-1)).toEqual({
      id: 'claude-desktop',
      only: ['github', 'fs', 'memory server'],
      replace: true,
    });
    expect(done.textContent).toContain('now reaches these servers through Switchboard');
    expect(within(done).queryByRole('button', { name: 'Connect Claude Desktop' })).toBeNull();
  });

  it('offers nothing to import when servers are configured', async () => {
    const configured = firstRunCore();
    configured.servers = [serverView('everything', { state: 'running' })];
    renderWith(configured, <ServersPage />);
    await screen.findByText('everything', { selector: '.server-name' });
    expect(screen.queryByRole('region', { name: 'Import your servers' })).toBeNull();
  });

  it('shows the usual empty state when no client has servers', async () => {
    const core = new FakeCore();
    core.ideClientList = [ideClient('cursor', 'not-connected')];
    renderWith(core, <ServersPage />);
    await screen.findByRole('region', { name: 'No servers yet' });
    await waitFor(() => expect(core.askedFor('importPreview')).toEqual([{ id: 'cursor' }]));
    expect(screen.queryByRole('region', { name: 'Import your servers' })).toBeNull();
  });
});
