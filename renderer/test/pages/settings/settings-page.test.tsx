import { screen } from '@testing-library/react';
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
