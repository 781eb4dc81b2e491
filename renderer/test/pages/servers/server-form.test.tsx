import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ServersPage } from '../../../src/pages/servers/servers-page.tsx';
import { FakeCore, serverView } from '../../fake-control-api.ts';
import { renderWith } from '../../render-app.tsx';

function type(label: string, value: string): void {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

/** The field's own problem list, which the control names with aria-describedby. */
function problemsBeside(label: string): string {
  const control = screen.getByLabelText(label);
  const ids = (control.getAttribute('aria-describedby') ?? '').split(' ');
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

describe('the add server form', () => {
  it('sends a stdio server built from its fields', async () => {
    const core = new FakeCore();
    renderWith(core, <ServersPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add server' }));
    type('Name', 'everything');
    type('Command', 'npx');
    type('Arguments', '-y\n@modelcontextprotocol/server-everything\n');
    type('Environment', 'API_KEY=${secret:EVERYTHING_KEY}\nMODE=a=b');
    type('Working directory', '/srv/mcp');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(core.askedFor('saveServer')).toEqual([
        {
          name: 'everything',
          replace: false,
          server: {
            transport: 'stdio',
            command: 'npx',
            args: ['-y', '@modelcontextprotocol/server-everything'],
            env: { API_KEY: '${secret:EVERYTHING_KEY}', MODE: 'a=b' },
            cwd: '/srv/mcp',
            enabled: true,
            start: 'on-demand',
          },
        },
      ]),
    );
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Add server' })).toBeNull());
    expect(await screen.findByText('everything', { selector: '.server-name' })).toBeTruthy();
  });

  it('sends a remote server with its headers', async () => {
    const core = new FakeCore();
    renderWith(core, <ServersPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add server' }));
    type('Name', 'docs');
    fireEvent.click(screen.getByLabelText('Streamable HTTP'));
    type('URL', 'https://example.com/mcp');
    type('Headers', 'Authorization: Bearer ${secret:DOCS}\nX-Team=core');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(core.askedFor('saveServer')).toEqual([
        {
          name: 'docs',
          replace: false,
          server: {
            transport: 'http',
            url: 'https://example.com/mcp',
            headers: { Authorization: 'Bearer ${secret:DOCS}', 'X-Team': 'core' },
            enabled: true,
            start: 'on-demand',
          },
        },
      ]),
    );
  });

  it('shows the core’s problems beside their fields and its error on top', async () => {
    const core = new FakeCore();
    core.answer('saveServer', () => ({
      ok: false,
      error: 'saveServer: server.command: must not be empty; server.env.API_KEY: unknown secret NOPE',
      problems: [
        { path: 'server.env.API_KEY', message: 'refers to ${secret:NOPE}, which is not in the vault' },
        { path: 'servers.everything.cwd', message: 'is not a directory' },
        { path: 'gateway.port', message: 'is in use' },
      ],
    }));
    renderWith(core, <ServersPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add server' }));
    type('Name', 'everything');
    type('Command', 'npx');
    type('Environment', 'API_KEY=${secret:NOPE}');
    type('Working directory', '/nowhere');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const form = await screen.findByRole('form', { name: 'Add server' });
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toContain('saveServer:'));
    expect(problemsBeside('Environment')).toContain('API_KEY: refers to ${secret:NOPE}, which is not in the vault');
    expect(screen.getByLabelText('Environment').getAttribute('aria-invalid')).toBe('true');
    expect(problemsBeside('Working directory')).toContain('is not a directory');
    expect(problemsBeside('Command')).not.toContain('must not be empty');
    expect(within(form).getByText('gateway.port: is in use')).toBeTruthy();
  });

  it('checks its own fields before asking the core', async () => {
    const core = new FakeCore();
    renderWith(core, <ServersPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add server' }));
    type('Environment', 'NOT A PAIR');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(problemsBeside('Name')).toContain('Give the server a name.');
    expect(problemsBeside('Command')).toContain('Give the command to run.');
    expect(problemsBeside('Environment')).toContain('line 1 is not KEY=VALUE');
    expect(core.askedFor('saveServer')).toEqual([]);
  });

  it('edits a server from its config and replaces it', async () => {
    const core = new FakeCore();
    core.servers = [serverView('memory', { state: 'running', since: Date.now(), pid: 1 })];
    core.configs.set('memory', {
      transport: 'stdio',
      command: 'node',
      args: ['memory.js'],
      env: { A: '1' },
      enabled: true,
    });
    renderWith(core, <ServersPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    await waitFor(() => expect((screen.getByLabelText('Command') as HTMLInputElement).value).toBe('node'));
    expect((screen.getByLabelText('Environment') as HTMLTextAreaElement).value).toBe('A=1');
    expect((screen.getByLabelText('Name') as HTMLInputElement).disabled).toBe(true);
    type('Arguments', 'memory.js\n--verbose');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(core.askedFor('saveServer')).toEqual([
        {
          name: 'memory',
          replace: true,
          server: {
            transport: 'stdio',
            command: 'node',
            args: ['memory.js', '--verbose'],
            env: { A: '1' },
            enabled: true,
            start: 'always',
          },
        },
      ]),
    );
  });

  it('closes on Escape', async () => {
    renderWith(new FakeCore(), <ServersPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add server' }));
    fireEvent.keyDown(screen.getByLabelText('Name'), { key: 'Escape' });
    expect(screen.queryByRole('form', { name: 'Add server' })).toBeNull();
  });
});
