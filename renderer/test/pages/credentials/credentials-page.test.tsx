import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CredentialsPage } from '../../../src/pages/credentials/credentials-page.tsx';
import { FakeCore, secretView } from '../../fake-control-api.ts';
import { renderWith } from '../../render-app.tsx';

const VALUE = 'sk-live-0123456789abcdef';
const ROTATED = 'sk-live-rotated-fedcba987';

function coreWithSecret(): FakeCore {
  const core = new FakeCore();
  core.vault.set('OPENAI_KEY', VALUE);
  core.secretList = [
    secretView('OPENAI_KEY', {
      usedBy: ['everything', 'docs'],
      expiry: { state: 'expiring', expires: '2026-11-29T00:00:00Z', days: 7 },
    }),
    secretView('OLD_TOKEN', { expiry: { state: 'expired', expires: '2026-11-01T00:00:00Z' } }),
  ];
  return core;
}

/** Every text and attribute in the document, values of inputs included. */
function everythingShown(): string {
  const inputs = [...document.querySelectorAll('input, textarea')].map((el) => (el as HTMLInputElement).value);
  return document.body.outerHTML + inputs.join('\n');
}

describe('Credentials page', () => {
  it('lists names, users and expiry, never a value', async () => {
    renderWith(coreWithSecret(), <CredentialsPage />);
    const row = (await screen.findByText('OPENAI_KEY')).closest('tr');
    if (row === null) throw new Error('no row');
    expect(within(row).getByText('everything, docs')).toBeTruthy();
    expect(within(row).getByText('expires within 7 days')).toBeTruthy();
    expect(screen.getByText('expired')).toBeTruthy();
    expect(everythingShown()).not.toContain(VALUE);
  });

  it('adds a secret through a masked field and forgets the value once sent', async () => {
    const core = coreWithSecret();
    renderWith(core, <CredentialsPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add secret' }));
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'GITHUB_TOKEN' } });
    const value = screen.getByLabelText('Value') as HTMLInputElement;
    expect(value.type).toBe('password');
    fireEvent.change(value, { target: { value: VALUE } });
    fireEvent.change(screen.getByLabelText('Expires'), { target: { value: '2027-01-31' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(core.askedFor('setSecret')).toHaveLength(1));
    const sent = core.askedFor('setSecret')[0] as { name: string; value: string; expires: string };
    expect(sent.name).toBe('GITHUB_TOKEN');
    expect(sent.value).toBe(VALUE);
    expect(new Date(sent.expires).getDate()).toBe(31);
    expect(await screen.findByText('GITHUB_TOKEN')).toBeTruthy();
    expect(everythingShown()).not.toContain(VALUE);
  });

  it('rotates a secret and keeps the value out of the page when the core refuses it', async () => {
    const core = coreWithSecret();
    core.answer('setSecret', () => ({
      ok: false,
      error: 'setSecret: the keychain is locked',
      problems: [{ path: 'value', message: 'could not be stored' }],
    }));
    renderWith(core, <CredentialsPage />);
    const row = (await screen.findByText('OPENAI_KEY')).closest('tr');
    if (row === null) throw new Error('no row');
    fireEvent.click(within(row).getByRole('button', { name: 'Rotate' }));
    const form = screen.getByRole('form', { name: 'Rotate OPENAI_KEY' });
    fireEvent.change(within(form).getByLabelText('New value'), { target: { value: ROTATED } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toBe('setSecret: the keychain is locked'));
    expect(within(form).getByText('could not be stored')).toBeTruthy();
    expect(core.askedFor('setSecret')).toEqual([{ name: 'OPENAI_KEY', value: ROTATED }]);
    expect(everythingShown()).not.toContain(ROTATED);
  });

  it('offers to set a secret that servers refer to but the vault lacks', async () => {
    const core = coreWithSecret();
    core.secretList = [secretView('DOCS_TOKEN', { created: null, usedBy: ['docs'], expiry: { state: 'missing' } })];
    renderWith(core, <CredentialsPage />);
    const row = (await screen.findByText('DOCS_TOKEN')).closest('tr');
    if (row === null) throw new Error('no row');
    expect(within(row).getByText('missing from the vault')).toBeTruthy();
    expect(within(row).queryByRole('button', { name: 'Rotate' })).toBeNull();
    fireEvent.click(within(row).getByRole('button', { name: 'Set value' }));
    const form = screen.getByRole('form', { name: 'Set DOCS_TOKEN' });
    fireEvent.change(within(form).getByLabelText('Value'), { target: { value: VALUE } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(core.askedFor('setSecret')).toEqual([{ name: 'DOCS_TOKEN', value: VALUE }]));
  });

  it('removes a secret after confirmation', async () => {
    const core = coreWithSecret();
    renderWith(core, <CredentialsPage />);
    const row = (await screen.findByText('OLD_TOKEN')).closest('tr');
    if (row === null) throw new Error('no row');
    fireEvent.click(within(row).getByRole('button', { name: 'Remove' }));
    fireEvent.click(within(row).getByRole('button', { name: 'Confirm remove' }));
    await waitFor(() => expect(core.askedFor('removeSecret')).toEqual([{ name: 'OLD_TOKEN' }]));
    await waitFor(() => expect(screen.queryByText('OLD_TOKEN')).toBeNull());
  });
});
