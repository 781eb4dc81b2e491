import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { FakeCore, serverView } from '../fake-control-api.ts';
import { renderWith } from '../render-app.tsx';

const PAGES = ['Servers', 'Tools', 'Calls', 'Metrics', 'Credentials', 'Clients', 'Policy', 'Settings'];

describe('the dashboard frame', () => {
  it('links every page and opens the one the address names', async () => {
    window.location.hash = '#/settings';
    renderWith(new FakeCore());
    for (const name of PAGES) {
      expect(screen.getByRole('link', { name }).getAttribute('href')).toBe(`#/${name.toLowerCase()}`);
    }
    expect(screen.getByRole('link', { name: 'Settings' }).getAttribute('aria-current')).toBe('page');
    expect(await screen.findByText('/home/me/.switchboard')).toBeTruthy();
    act(() => {
      window.location.hash = '#/policy';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    expect(await screen.findByText(/not enrolled in a team policy/)).toBeTruthy();
  });

  it('keeps the navigation’s link names unique on every page, even matched as substrings', async () => {
    // End-to-end tests find a page's link by name the way Playwright does: case-insensitive substrings.
    for (const page of PAGES) {
      window.location.hash = `#/${page.toLowerCase()}`;
      const { unmount } = renderWith(new FakeCore());
      await waitFor(() => expect(screen.queryByText(/Reading/)).toBeNull());
      const links = screen.getAllByRole('link');
      for (const name of PAGES) {
        const named = links.filter((link) => link.textContent?.toLowerCase().includes(name.toLowerCase()));
        expect(
          named.map((link) => link.textContent),
          `${name} on ${page}`,
        ).toEqual([name]);
      }
      unmount();
    }
  });

  it('says how to connect a client that is not detected', async () => {
    window.location.hash = '#/clients';
    renderWith(new FakeCore());
    expect((await screen.findByRole('region', { name: 'Connect another client' })).textContent).toContain(
      'switchboard token create NAME',
    );
  });

  it('shows what broke when a page fails, and the other pages still work', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const core = new FakeCore();
    // An answer the page cannot read: tools missing from a server.
    core.answer('catalog', () => ({ ok: true, value: { servers: [{ server: 'x' }] } }) as never);
    window.location.hash = '#/tools';
    renderWith(core);
    expect((await screen.findByRole('alert')).textContent).toContain('This page failed');
    act(() => {
      window.location.hash = '#/policy';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    expect(await screen.findByText(/not enrolled in a team policy/)).toBeTruthy();
  });

  it('replaces the pages with the way back in when the session is lost', () => {
    const core = new FakeCore();
    renderWith(core);
    act(() => core.setConnection('session-lost'));
    expect(screen.getByRole('alert', { name: 'Session ended' }).textContent).toContain('switchboard serve');
    expect(screen.queryByRole('navigation')).toBeNull();
  });

  it('re-reads the servers when the link is live again', async () => {
    const core = new FakeCore();
    core.servers = [serverView('everything', { state: 'running', since: Date.now(), pid: 1 })];
    renderWith(core);
    expect(await screen.findByText('running')).toBeTruthy();
    act(() => core.setConnection('connecting'));
    expect(screen.getByRole('status').textContent).toBe('Connecting to Switchboard…');
    core.servers = [serverView('everything', { state: 'stopped' })];
    act(() => core.setConnection('live'));
    await waitFor(() => expect(screen.getByText('stopped')).toBeTruthy());
  });
});
