import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { isTeamPage, teamClient, TEAM_SESSION_LOST } from '../../../src/api/team-client.ts';
import { TeamApp } from '../../../src/app/team-app.tsx';
import { TeamStoresProvider } from '../../../src/app/team-stores-context.tsx';
import { TeamActivityPage } from '../../../src/pages/team/team-activity-page.tsx';
import { TeamAuditPage } from '../../../src/pages/team/team-audit-page.tsx';
import { TeamPolicyPage } from '../../../src/pages/team/team-policy-page.tsx';
import { createTeamStores, type TeamStores } from '../../../src/stores/team-stores.ts';
import { FakeTeam, teamRecord } from '../../fake-team-api.ts';

const NOW = 1_790_000_500_000;

function renderTeam(team: FakeTeam, element = <TeamApp />): TeamStores {
  const stores = createTeamStores(team.api, () => NOW);
  render(<TeamStoresProvider stores={stores}>{element}</TeamStoresProvider>);
  return stores;
}

function rowsOf(label: string): HTMLElement[] {
  return within(screen.getByRole('table', { name: label }))
    .getAllByRole('row')
    .slice(1);
}

describe('team dashboard', () => {
  it('opens on the team audit, newest first, and reads older pages through the cursor', async () => {
    const team = new FakeTeam();
    team.records = Array.from({ length: 150 }, (_, i) => teamRecord(i + 1, { member: i % 2 === 0 ? 'alice' : 'bob' }));
    renderTeam(team);
    expect(screen.getByRole('link', { name: 'Audit' }).getAttribute('aria-current')).toBe('page');
    await screen.findByText('github__tool_150');
    expect(rowsOf('Team records')).toHaveLength(100);
    expect(rowsOf('Team records')[0]!.textContent).toContain('bob');
    fireEvent.click(screen.getByRole('button', { name: 'Load older records' }));
    await screen.findByText('github__tool_1');
    expect(rowsOf('Team records')).toHaveLength(150);
    expect(screen.queryByRole('button', { name: 'Load older records' })).toBeNull();
    expect(team.askedFor('teamAudit')).toEqual([{ limit: 100 }, { limit: 100, cursor: 'install-a:51:h51' }]);
  });

  it('filters by member with the history filters, and says when nothing matches', async () => {
    const team = new FakeTeam();
    team.records = [teamRecord(1, { member: 'alice' }), teamRecord(2, { member: 'bob' })];
    renderTeam(team, <TeamAuditPage />);
    await screen.findByText('github__tool_2');
    fireEvent.change(screen.getByLabelText('Member'), { target: { value: 'alice ' } });
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'tool-error' } });
    await waitFor(() =>
      expect(team.askedFor('teamAudit').at(-1)).toEqual({ limit: 100, member: 'alice', outcome: 'tool-error' }),
    );
    fireEvent.change(screen.getByLabelText('Member'), { target: { value: 'carol' } });
    expect(await screen.findByRole('region', { name: 'No records match' })).toBeTruthy();
  });

  it('opens a record beside the table with its arguments, decision and install', async () => {
    const team = new FakeTeam();
    team.records = [
      teamRecord(7, { arguments: '{"title":"hello"}', decision: 'deny', rule: 'no-deletes', outcome: 'denied' }),
    ];
    renderTeam(team, <TeamAuditPage />);
    fireEvent.click((await screen.findByText('github__tool_7')).closest('tr')!);
    const details = screen.getByRole('dialog', { name: 'Record details' });
    expect(within(details).getByLabelText('Arguments').textContent).toBe('{\n  "title": "hello"\n}');
    expect(within(details).getByText('no-deletes')).toBeTruthy();
    expect(within(details).getByText('install-a')).toBeTruthy();
    fireEvent.keyDown(details, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows an answer that refuses, where the records would be', async () => {
    const team = new FakeTeam();
    team.auditError = TEAM_SESSION_LOST;
    renderTeam(team, <TeamAuditPage />);
    expect((await screen.findByRole('alert')).textContent).toBe(TEAM_SESSION_LOST);
  });

  it('activity per member and per server over the chosen range; a member opens their records', async () => {
    const team = new FakeTeam();
    team.activity = {
      members: [
        { member: 'alice', calls: 1200, errors: 30, lastSeen: NOW - 60_000 },
        { member: 'bob', calls: 0, errors: 0, lastSeen: NOW - 120_000 },
      ],
      servers: [{ server: 'github', calls: 1200, errors: 30, lastSeen: NOW - 60_000 }],
    };
    const stores = renderTeam(team, <TeamActivityPage />);
    await screen.findByRole('table', { name: 'Members' });
    const [alice, bob] = rowsOf('Members');
    expect(alice!.textContent).toContain('1,200');
    expect(alice!.textContent).toContain('2.5%');
    expect(bob!.textContent).toContain('—');
    expect(rowsOf('Servers')[0]!.textContent).toContain('github');
    expect(team.askedFor('teamActivity')).toEqual([{ since: NOW - 1440 * 60_000 }]);
    fireEvent.change(screen.getByLabelText('Range'), { target: { value: '60' } });
    await waitFor(() => expect(team.askedFor('teamActivity').at(-1)).toEqual({ since: NOW - 60 * 60_000 }));
    stores.audit.getState().setFilters({ outcome: 'denied' });
    fireEvent.click(within(alice!).getByRole('link', { name: 'alice' }));
    expect(stores.audit.getState().filters).toMatchObject({ member: 'alice', outcome: '' });
  });

  it('policy versions with how many installs run each, and which install is behind', async () => {
    const team = new FakeTeam();
    const version = (n: number, installs: number) => ({
      version: n,
      sha256: `${n}`.repeat(64),
      issuedAt: '2026-11-01T00:00:00.000Z',
      expiresAt: '2026-12-01T00:00:00.000Z',
      publishedAt: '2026-11-01T00:00:00.000Z',
      installs,
    });
    const install = (id: string, member: string, policyVersion: number | null, chainBreaks = 0) => ({
      install: id,
      member,
      host: `${member}-laptop`,
      appVersion: '1.4.0',
      policyVersion,
      lastSeen: '2026-11-26T10:00:00.000Z',
      chainBreaks,
    });
    team.policy = {
      versions: [version(4, 1), version(3, 1)],
      installs: [
        install('aaaaaaaa-1', 'alice', 4),
        install('bbbbbbbb-2', 'bob', 3, 2),
        install('cccccccc-3', 'carol', null),
      ],
    };
    renderTeam(team, <TeamPolicyPage />);
    await screen.findByRole('table', { name: 'Installs' });
    expect(rowsOf('Published versions').map((r) => r.querySelector('th')?.textContent)).toEqual(['4', '3']);
    const [alice, bob, carol] = rowsOf('Installs');
    expect(within(alice!).getByText('4 (newest)').className).toContain('badge-ok');
    expect(within(bob!).getByText('3 (behind)').className).toContain('badge-warn');
    expect(bob!.textContent).toContain('bob-laptop');
    expect(bob!.lastElementChild?.textContent).toBe('2');
    expect(within(carol!).getByText('none yet')).toBeTruthy();
  });

  it('says how to publish before anything is', async () => {
    renderTeam(new FakeTeam(), <TeamPolicyPage />);
    expect(await screen.findByRole('region', { name: 'Nothing published yet' })).toBeTruthy();
  });
});

describe('team mode and its transport', () => {
  it('is the mode of a page the team server marked, and only of such a page', () => {
    const marked = new DOMParser().parseFromString(
      '<html><head><meta name="switchboard-mode" content="team"></head></html>',
      'text/html',
    );
    expect(isTeamPage(marked)).toBe(true);
    expect(isTeamPage(new DOMParser().parseFromString('<html><head></head></html>', 'text/html'))).toBe(false);
    expect(isTeamPage(document)).toBe(false);
  });

  it('posts each call with the CSRF header, and turns a 401 into how to sign in again', async () => {
    const sent: { url: string; init: RequestInit }[] = [];
    let status = 200;
    const api = teamClient({
      origin: 'http://team.example:7420',
      fetch: (async (url: string, init: RequestInit) => {
        sent.push({ url, init });
        return new Response(JSON.stringify({ ok: true, value: { versions: [], installs: [] } }), { status });
      }) as unknown as typeof fetch,
    });
    expect(await api.teamPolicy({})).toEqual({ ok: true, value: { versions: [], installs: [] } });
    expect(sent[0]!.url).toBe('http://team.example:7420/api/teamPolicy');
    expect((sent[0]!.init.headers as Record<string, string>)['x-switchboard-request']).toBe('1');
    status = 401;
    expect(await api.teamActivity({ since: 5 })).toEqual({ ok: false, error: TEAM_SESSION_LOST });
  });
});
