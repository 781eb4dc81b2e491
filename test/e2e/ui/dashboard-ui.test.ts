// The dashboard in real Chromium against a real `serve`: opened with its printed link (the token leaves the address
// bar), a stdio server added through the form and watched to running, one of its tools called by an SDK client,
// the call seen in the history and opened in the detail drawer; every page is screenshotted into
// test-artifacts/screenshots. Without the dashboard's token, the page and the API are refused.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Page } from 'playwright-core';
import type { ConfigInput } from '../../../main/config/schema.ts';
import { writeConfig } from '../../../main/config/write-config.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { chromiumSkip, launchChromium, screenshotDir } from '../../helpers/browser.ts';
import { fixtureServer } from '../../helpers/gateway-harness.ts';
import { runBin, startServe } from '../cli/serve-process.ts';

const CURSOR_SECRET = 'ghp_e2eSecretValueNeverShown0123456789';
const PAGES = ['Servers', 'Tools', 'Calls', 'Metrics', 'Credentials', 'Clients', 'Policy', 'Settings'] as const;

test(
  'the dashboard in Chromium: add a server, watch it run, see a client call live and open it',
  { skip: chromiumSkip() },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-ui-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    // A policy with rules, so the Policy page has something to show.
    const policy: ConfigInput['policy'] = {
      rules: [
        { id: 'no-deletes', tools: ['*__delete*'], action: 'deny', reason: 'Deleting is done by hand.' },
        { clients: ['cursor'], servers: ['echo'], action: 'allow', arguments: { text: { pattern: '^[^<>]*$' } } },
      ],
      toolsets: { cursor: { servers: ['echo'] } },
      rateLimits: [{ id: 'per-client', calls: 600, perSeconds: 60 }],
      concurrency: { '*': 8 },
    };
    assert.ok((await writeConfig(dataDirPaths(dir).config, { servers: {}, policy })).ok);
    // A home of its own with one IDE client that already runs a server with a secret written into its file.
    const home = join(dir, 'home');
    await mkdir(join(home, '.cursor'), { recursive: true });
    await writeFile(
      join(home, '.cursor', 'mcp.json'),
      JSON.stringify({
        mcpServers: {
          github: {
            command: 'npx',
            args: ['-y', '@modelcontextprotocol/server-github'],
            env: { GITHUB_PERSONAL_ACCESS_TOKEN: CURSOR_SECRET },
          },
        },
      }),
    );
    const made = await runBin(['token', 'create', 'cursor', '--json', '--data-dir', dir]);
    const clientToken = (JSON.parse(made.out) as { token: string }).token;
    const serve = await startServe(dir, { HOME: home, XDG_CONFIG_HOME: join(home, '.config') });
    t.after(async () => {
      serve.child.kill('SIGTERM');
      await serve.exited;
    });
    const link = new URL(serve.dashboard);
    const base = link.origin;
    const shots = await screenshotDir();

    const browser = await launchChromium();
    t.after(() => browser.close());
    const errors: string[] = [];
    const watch = (page: Page) => {
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console: ${message.text()}`);
      });
    };

    // Without the token: the page and the API are refused, and nothing of the UI is served to that session.
    const stranger = await browser.newPage();
    const refused = await stranger.goto(`${base}/`);
    assert.equal(refused?.status(), 401);
    const apiStatus = await stranger.evaluate(async () => {
      const response = await fetch('/api/status', { method: 'POST', headers: { 'x-switchboard-request': '1' } });
      return response.status;
    });
    assert.equal(apiStatus, 401);
    await stranger.close();

    // With the printed link: the token is traded for the cookie and leaves the address bar.
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    watch(page);
    await page.goto(link.href);
    assert.equal(page.url(), `${base}/`, 'the token is gone from the address bar');
    await page.getByRole('link', { name: 'Servers' }).click();
    await page.getByRole('button', { name: 'Add server' }).first().waitFor();
    await page.screenshot({ path: join(shots, '01-servers-empty.png'), fullPage: true });

    // First run: Cursor's server is offered for import, its secret named and never shown.
    await page.getByRole('button', { name: /Import from Cursor/ }).click();
    const preview = page.getByRole('form', { name: 'Import from Cursor' });
    await preview.getByText('GITHUB_PERSONAL_ACCESS_TOKEN').first().waitFor();
    assert.ok(!(await page.content()).includes(CURSOR_SECRET), 'no secret value in the page');
    await page.screenshot({ path: join(shots, '01b-first-run-import.png'), fullPage: true });
    await preview.getByRole('button', { name: 'Cancel' }).click();

    // Add a stdio server through the form; a bad command is refused beside its field first.
    await page.getByRole('button', { name: 'Add server' }).first().click();
    const fixture = fixtureServer('echo');
    await page.getByLabel('Name').fill('echo');
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByText(/command/i)
      .first()
      .waitFor();
    await page.getByLabel('Command').fill(fixture.command);
    await page.getByLabel('Arguments').fill((fixture.args ?? []).join('\n'));
    // Kept running rather than started on first use, so it can be watched reaching running.
    await page.getByLabel(/^On demand/).uncheck();
    await page.screenshot({ path: join(shots, '02-add-server-form.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save' }).click();
    const row = page.getByRole('row').filter({ hasText: 'echo' });
    await row.filter({ hasText: 'running' }).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(shots, '03-servers-running.png'), fullPage: true });

    // A client calls one of its tools; the Calls page shows it live, without a reload.
    await page.getByRole('link', { name: 'Calls' }).click();
    await page.waitForTimeout(300);
    const client = new Client({ name: 'cursor', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(serve.url), {
        requestInit: { headers: { authorization: `Bearer ${clientToken}` } },
      }),
    );
    t.after(() => client.close());
    const called = performance.now();
    await client.callTool({ name: 'echo__echo', arguments: { text: 'seen in the browser' } });
    const callRow = page.getByRole('row').filter({ hasText: 'cursor' }).filter({ hasText: 'echo' }).first();
    await callRow.waitFor({ timeout: 10_000 });
    const seenMs = Math.round(performance.now() - called);
    t.diagnostic(`the call appeared in the history ${seenMs} ms after the client had its answer`);
    await page.screenshot({ path: join(shots, '04-calls.png'), fullPage: true });

    await callRow.click();
    const drawer = page.getByRole('dialog', { name: 'Call details' });
    await drawer.waitFor();
    await drawer.getByText('seen in the browser').first().waitFor();
    assert.match((await drawer.textContent()) ?? '', /allow/);
    await page.screenshot({ path: join(shots, '05-call-details.png'), fullPage: true });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    // Try it: a form made from the tool's input schema calls it through the gateway and shows the result; the call
    // is audited as the dashboard's.
    await page.getByRole('link', { name: 'Tools' }).click();
    await page.getByRole('button', { name: 'echo__echo', exact: true }).click();
    const tryIt = page.getByRole('region', { name: 'Try echo__echo' });
    await tryIt.getByLabel('text').fill('tried in the browser');
    await tryIt.getByRole('button', { name: 'Call tool' }).click();
    await page.getByRole('region', { name: 'Result' }).getByText('tried in the browser').first().waitFor();
    await page.screenshot({ path: join(shots, '06-try-it.png'), fullPage: true });
    await page.getByRole('link', { name: 'Calls' }).click();
    await page.getByRole('row').filter({ hasText: 'dashboard' }).filter({ hasText: 'echo' }).first().waitFor();

    // Every page renders (and is kept as a screenshot).
    for (const [i, name] of PAGES.entries()) {
      await page.getByRole('link', { name }).click();
      await page.waitForLoadState('networkidle');
      if (name === 'Clients') await page.getByRole('rowheader', { name: /^Cursor/ }).waitFor();
      if (name === 'Policy') await page.getByRole('rowheader', { name: 'no-deletes' }).waitFor();
      await page.screenshot({ path: join(shots, `${String(10 + i)}-${name.toLowerCase()}.png`), fullPage: true });
    }
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('link', { name: 'Servers' }).click();
    await page.screenshot({ path: join(shots, '20-servers-dark.png'), fullPage: true });

    assert.deepEqual(errors, [], 'no script errors or CSP refusals in the page');
  },
);
