import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SettingsPage } from '../../../src/pages/settings/settings-page.tsx';
import { FakeCore } from '../../fake-control-api.ts';
import { renderWith } from '../../render-app.tsx';

describe('Settings page: audit upload', () => {
  it('says the upload is off when no endpoint is set', async () => {
    const core = new FakeCore();
    renderWith(core, <SettingsPage />);
    expect((await screen.findByLabelText('Audit upload')).textContent).toMatch(/Off: no endpoint/);
  });

  it('reads the settings again when the core says the upload stopped or recovered', async () => {
    const core = new FakeCore();
    renderWith(core, <SettingsPage />);
    const line = await screen.findByLabelText('Audit upload');
    expect(line.textContent).toMatch(/Off/);
    const upload = {
      state: 'backoff' as const,
      target: 'https://audit.example.com/ingest',
      source: 'config' as const,
      pending: 7,
      lastUploadAt: null,
      lastError: 'the receiver answered 503',
      retryAt: '2026-11-26T08:05:00.000Z',
      failures: 5,
    };
    core.settingsView = { ...core.settingsView, auditUpload: upload };
    act(() => core.emit({ type: 'audit-upload', upload }));
    await waitFor(() =>
      expect(screen.getByLabelText('Audit upload').textContent).toMatch(/^Upload: Failing, retrying/),
    );
    expect(screen.getByLabelText('Audit upload').textContent).toContain('Last error: the receiver answered 503');
  });

  it('shows a stopped upload with its endpoint, what is pending and why it stopped', async () => {
    const core = new FakeCore();
    core.settingsView = {
      ...core.settingsView,
      auditUpload: {
        state: 'stopped',
        target: 'https://audit.example.com/ingest',
        source: 'team',
        pending: 42,
        lastUploadAt: '2026-11-26T08:00:00.000Z',
        lastError: 'the receiver refused the upload with 401',
        retryAt: null,
        failures: 0,
      },
    };
    renderWith(core, <SettingsPage />);
    const line = await screen.findByLabelText('Audit upload');
    expect(line.textContent).toContain('Stopped: https://audit.example.com/ingest (named by the team policy)');
    expect(line.textContent).toContain('42 pending');
    expect(line.textContent).toContain('Last error: the receiver refused the upload with 401');
  });
});
