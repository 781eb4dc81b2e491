// The team dashboard in real Chromium: a small team server made of createTeamApi's handler behind a router that
// trades an admin token for a session cookie (CookieSessions, as the team server's does), over a real PostgreSQL
// with seeded records. The page opens in team mode from the server's mark, filters every member's records by
// member, pages through the cursor, and shows activity and policy versions; screenshots go to
// test-artifacts/screenshots. Needs the built renderer (npm run build:renderer).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { CookieSessions, redirectWithSession } from '../../../main/dashboard/dashboard-access.ts';
import { rendererDistDir } from '../../../main/dashboard/renderer-files.ts';
import { createTeamApi, servesTeamDashboard, type TeamMember } from '../../../main/team-server/team-api.ts';
import { openTeamDb } from '../../../main/team-server/team-db.ts';
import { chromiumSkip, launchChromium, screenshotDir } from '../../helpers/browser.ts';
import { skipWithoutPostgres, startPostgres } from '../../helpers/postgres.ts';
import { seedTeam, type SeedRecord } from '../../helpers/team-seed.ts';

const ADMIN_TOKEN = 'sbm_admin-token-for-this-test';
const NOW = Date.now();

function skip(): string | false {
  const reason = chromiumSkip() || skipWithoutPostgres();
  if (reason !== false) return reason;
  if (existsSync(join(rendererDistDir(), 'index.html'))) return false;
  if (process.env['CI']) throw new Error('the team dashboard test needs the built renderer: npm run build:renderer');
  return 'the renderer is not built (npm run build:renderer)';
}

/** 150 records of alice on one machine and bob on another, the newest a minute ago. */
const RECORDS: SeedRecord[] = Array.from({ length: 150 }, (_, i) => ({
  id: i + 1,
  ts: NOW - 60_000 - (149 - i) * 1000,
  member: i % 3 === 0 ? 'bob' : 'alice',
  install: i % 3 === 0 ? 'bob-laptop-install' : 'alice-laptop-install',
  server: i % 2 === 0 ? 'github' : 'fs',
  target: i % 2 === 0 ? 'create_issue' : 'read_file',
  client: 'cursor',
  outcome: i % 10 === 9 ? 'tool-error' : 'ok',
  error: i % 10 === 9 ? 'upstream failed' : null,
  arguments: JSON.stringify({ note: `call number ${i + 1}` }),
  durationMs: 5 + (i % 7),
}));

test(
  'the team dashboard in Chromium: team mode, member filter, cursor pages, activity, policy',
  { skip: skip() },
  async (t) => {
    const postgres = await startPostgres();
    t.after(() => postgres.stop());
    const opened = await openTeamDb(postgres.url);
    if (!opened.ok) throw new Error(opened.error);
    const pool = opened.pool;
    t.after(() => pool.end());
    await seedTeam(pool, RECORDS, { policyVersions: { 'alice-laptop-install': 2, 'bob-laptop-install': 1 } });
    for (const version of [1, 2]) {
      await pool.query(
        `INSERT INTO policy_versions (version, jws, sha256, issued_at, expires_at)
       VALUES ($1, 'jws', $2, now(), now() + interval '30 days')`,
        [version, String(version).repeat(64)],
      );
    }

    // The router's part, reduced to one admin token: the token in the link becomes a cookie, then every dashboard
    // path needs the cookie (or the bearer) before the handler runs.
    const team = createTeamApi({ pool });
    const sessions = new CookieSessions<TeamMember>('sb_team');
    const http = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!servesTeamDashboard(url.pathname)) return void res.writeHead(404).end();
      if (url.pathname === '/' && url.searchParams.get('token') === ADMIN_TOKEN) {
        return redirectWithSession(res, sessions.open({ name: 'admin', admin: true }));
      }
      const member =
        req.headers.authorization === `Bearer ${ADMIN_TOKEN}` ? { name: 'admin', admin: true } : sessions.lookup(req);
      if (member === undefined) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{}');
      void team.handle(req, res, url, member);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => http.close(resolve)));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const shots = await screenshotDir();

    const browser = await launchChromium();
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });

    await page.goto(`${base}/?token=${ADMIN_TOKEN}`);
    assert.equal(new URL(page.url()).search, '', 'the token leaves the address bar');
    await page.getByRole('heading', { name: 'Switchboard team' }).waitFor();
    const records = page.getByRole('table', { name: 'Team records' });
    await records.getByText('create_issue').first().waitFor();
    // A hundred a page, the newest first (record 150 is alice's, read_file).
    assert.equal(await records.locator('tbody tr').count(), 100);
    assert.match((await records.locator('tbody tr').first().textContent()) ?? '', /alice.*fs.*read_file/);
    await page.screenshot({ path: join(shots, 'team-audit.png'), fullPage: true });

    await page.getByRole('button', { name: 'Load older records' }).click();
    const rows = records.locator('tbody tr');
    await rows.nth(149).waitFor();
    assert.equal(await rows.count(), 150);
    assert.equal(await page.getByRole('button', { name: 'Load older records' }).count(), 0);

    await page.getByLabel('Member').fill('bob');
    await records.locator('tbody tr', { hasText: 'alice' }).first().waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 50);
    assert.deepEqual([...new Set(await rows.locator('td:nth-child(2)').allTextContents())], ['bob']);
    await page.getByLabel('Outcome').selectOption('tool-error');
    await rows.nth(5).waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 5);
    assert.deepEqual([...new Set(await rows.locator('td:nth-child(8)').allTextContents())], ['upstream failed']);

    await page.getByRole('link', { name: 'Activity' }).click();
    const members = page.getByRole('table', { name: 'Members' });
    await members.getByText('alice').waitFor();
    assert.match((await members.locator('tbody tr').first().textContent()) ?? '', /alice\s*100\s*10\s*10\.0%/);
    assert.match((await members.locator('tbody tr').nth(1).textContent()) ?? '', /bob\s*50\s*5\s*10\.0%/);
    await page.getByRole('table', { name: 'Servers' }).getByText('github').waitFor();
    await page.screenshot({ path: join(shots, 'team-activity.png'), fullPage: true });

    await page.getByRole('link', { name: 'Policy' }).click();
    const installs = page.getByRole('table', { name: 'Installs' });
    await installs.getByText('bob-lapt', { exact: true }).waitFor();
    assert.match((await installs.getByRole('row', { name: /bob/ }).textContent()) ?? '', /1 \(behind\)/);
    assert.match((await installs.getByRole('row', { name: /alice/ }).textContent()) ?? '', /2 \(newest\)/);
    await page.screenshot({ path: join(shots, 'team-policy.png'), fullPage: true });

    // Without the cookie, the page and the calls are refused by the router before the handler.
    const stranger = await browser.newPage();
    assert.equal((await stranger.goto(`${base}/`))?.status(), 401);
    assert.deepEqual(errors, []);
  },
);
