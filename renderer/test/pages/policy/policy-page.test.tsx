import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PolicyPage } from '../../../src/pages/policy/policy-page.tsx';
import { FakeCore } from '../../fake-control-api.ts';
import { renderWith } from '../../render-app.tsx';

/** config.json's policy as the core sends it, defaults filled in. */
const POLICY = {
  defaultAction: 'deny',
  readOnly: false,
  destructive: 'confirm',
  trustedServers: ['fs', 'github'],
  validateArguments: true,
  argumentLimits: { maxStringLength: 16777216, maxDepth: 64, maxArrayItems: 100000 },
  confirmTimeoutMs: 120000,
  rules: [
    {
      id: 'no-deletes',
      tools: ['*__delete*'],
      action: 'deny',
      reason: 'Deleting is done by hand.',
    },
    {
      clients: ['cursor'],
      servers: ['fs'],
      tools: ['fs__read_file'],
      action: 'allow',
      arguments: { path: { pathPrefix: ['~/src'], optional: false } },
    },
    {
      id: 'fetch-public',
      servers: ['fetch'],
      action: 'confirm',
      arguments: { url: { publicUrl: true, optional: false }, method: { values: ['GET'], optional: true } },
    },
  ],
  toolsets: { cursor: { servers: ['fs'], tools: ['github__search_*'], readOnly: true } },
  rateLimits: [
    { id: 'github-hourly', servers: ['github'], each: ['client'], calls: 100, perSeconds: 3600 },
    { id: 'reads', prompts: ['fs__review'], resources: ['file:///etc/*'], each: ['client'], calls: 10, perSeconds: 60 },
  ],
  concurrency: { '*': 4, fetch: 1 },
};

describe('Policy page', () => {
  it('shows the source, the settings, and the rules in the order they are tried', async () => {
    const core = new FakeCore();
    core.policyView = { source: 'local', policy: POLICY, team: null };
    renderWith(core, <PolicyPage />);
    const rules = await screen.findByRole('region', { name: 'Rules' });
    const rows = within(rules).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getByRole('rowheader').textContent)).toEqual([
      'no-deletes',
      'policy.rules[1]',
      'fetch-public',
    ]);
    const [first, second, third] = rows;
    expect(first?.textContent).toContain('*__delete*');
    expect(within(first!).getByText('deny')).toBeTruthy();
    expect(first?.textContent).toContain('Deleting is done by hand.');
    expect(second?.textContent).toContain('cursor');
    expect(second?.textContent).toContain('path: under ~/src');
    expect(within(third!).getByText('url: a public http(s) URL')).toBeTruthy();
    expect(within(third!).getByText('method: one of "GET"; may be left out')).toBeTruthy();
    expect(rules.textContent).toContain('the first rule that matches a call decides it');
    expect(rules.textContent).toContain('A call no rule matches is denied');

    const source = screen.getByRole('region', { name: 'Source' });
    expect(source.textContent).toContain('Source: local');
    expect(source.textContent).toContain('not enrolled in a team policy');
    const settings = screen.getByRole('region', { name: 'Settings' });
    expect(settings.textContent).toContain('Destructive toolsconfirm');
    expect(settings.textContent).toContain('Trusted serversfs, github');
    expect(settings.textContent).toContain('Confirmation timeout120 s');

    const toolsets = screen.getByRole('region', { name: 'Toolsets' });
    expect(within(toolsets).getByRole('rowheader').textContent).toBe('cursor');
    expect(toolsets.textContent).toContain('github__search_*');
    const limits = screen.getByRole('region', { name: 'Rate limits and concurrency' });
    expect(limits.textContent).toContain('100 per 3600 s');
    const reads = within(limits).getByRole('rowheader', { name: 'reads' }).closest('tr');
    expect(reads?.textContent).toContain('prompt fs__review, resource file:///etc/*');
    expect(limits.textContent).toContain('* (servers not named)4 calls at once');
    expect(limits.textContent).toContain('fetch1 call at once');
  });

  it('says what an empty policy means, and shows a read failure', async () => {
    const core = new FakeCore();
    renderWith(core, <PolicyPage />);
    expect(await screen.findByText(/No rules: every call gets the default action/)).toBeTruthy();
    expect(screen.getByText('No toolsets: every client sees every tool.')).toBeTruthy();

    const failing = new FakeCore();
    failing.answer('policy', () => ({ ok: false, error: 'config.json is not valid: policy.rules[0].action' }));
    renderWith(failing, <PolicyPage />);
    expect((await screen.findByRole('alert')).textContent).toContain('policy.rules[0].action');
  });

  it('shows the team policy: where it stands, the last alert, conflicts, team rules apart from local ones, catalog', async () => {
    const core = new FakeCore();
    core.policyView = {
      source: 'team',
      policy: POLICY,
      team: {
        url: 'https://policy.example/team.jws',
        team: 'acme',
        state: 'active',
        enforced: 'document',
        version: 7,
        expiresAt: '2030-01-01T00:00:00Z',
        lastSync: { at: '2026-11-26T08:00:00Z', outcome: 'rejected', message: 'HTTP 500' },
        nextSyncAt: '2026-11-26T08:05:00Z',
        failures: 1,
        lastAlert: {
          reason: 'endpoint',
          message: 'the team document was not applied: HTTP 500',
          at: '2026-11-26T08:00:00Z',
          version: 7,
        },
        policy: { rules: [{ id: 'deniedTools[0]', tools: ['fs__delete'], action: 'deny' }] },
        conflicts: [
          {
            local: 'policy.rules[1]',
            team: 'team:deniedTools[0]',
            message: 'local rule policy.rules[1] allows what team rule deniedTools[0] denies',
          },
        ],
        settings: {
          catalog: {
            fs: {
              command: 'npx',
              args: ['-y', '@acme/fs'],
              packages: { '@acme/fs': '1.2.3' },
              secrets: ['FS_TOKEN'],
              rules: [],
            },
          },
          auditRetention: { retentionDays: 30 },
          auditUploadUrl: null,
          minAppVersion: null,
          appOutdated: false,
        },
      },
    };
    renderWith(core, <PolicyPage />);
    const team = await screen.findByRole('region', { name: 'Team policy' });
    expect(team.textContent).toContain('Version7');
    expect(team.textContent).toContain('rejected (HTTP 500)');
    expect(within(team).getByRole('alert').textContent).toContain('endpoint');
    expect(within(team).getByRole('region', { name: 'Conflicts' }).textContent).toContain('policy.rules[1]');
    expect(within(team).getByRole('region', { name: 'Approved servers' }).textContent).toContain('@acme/fs@1.2.3');
    const teamRules = screen.getByRole('region', { name: 'Team rules' });
    expect(within(teamRules).getByRole('rowheader').textContent).toBe('team:deniedTools[0]');
    const localRules = screen.getByRole('region', { name: 'Rules' });
    expect(within(localRules).getAllByRole('rowheader')[0]?.textContent).toBe('no-deletes');
    expect(screen.getByRole('region', { name: 'Source' }).textContent).toContain('https://policy.example/team.jws');
  });
});
