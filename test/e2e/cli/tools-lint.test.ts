// `switchboard tools lint` as a person meets it: the lint of the tools a real core listed from a fixture server,
// read from the data directory while serve runs and again once it does not, with the tools policy.toolQuality
// blocks marked, a server never listed named with what to do, and exit code 1 when a finding is an error.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ServerLintReport } from '../../../main/cli/commands/tools.ts';
import { dataDirPaths } from '../../../main/paths/data-dir.ts';
import { NODE, REPO, isRunning, startHarness } from '../../helpers/gateway-harness.ts';
import { runCliInProcess, waitUntil } from '../gateway/support.ts';

const METADATA_FIXTURE = join(REPO, 'test/fixtures/metadata-server.ts');

test('tools lint reports each tool’s findings from the lists the gateway saw, running or not', async (t) => {
  const h = await startHarness({
    servers: {
      meta: { command: NODE, args: [METADATA_FIXTURE] },
      off: { command: NODE, args: [METADATA_FIXTURE], enabled: false },
    },
    policy: { toolQuality: { block: ['description-missing'] } },
  });
  t.after(() => h.close());
  await h.waitForState('meta', isRunning);
  const lists = dataDirPaths(h.dataDir).lists;
  await waitUntil(() => existsSync(join(lists, 'meta.json')), 'the tool list on disk');
  const cli = (dir: string, ...args: string[]) => runCliInProcess(['--data-dir', dir, 'tools', 'lint', ...args]);

  const text = await cli(h.dataDir);
  assert.equal(text.code, 1, 'an error-level finding fails the run');
  assert.equal(text.err, '');
  assert.match(text.out, /^meta: 3 tool\(s\); 1 error\(s\), 2 warning\(s\), 1 note\(s\)$/m);
  assert.match(text.out, /error +description-missing +meta__undocumented: has no description/);
  assert.match(text.out, /warning +param-type-missing +meta__undocumented: inputSchema\.properties\.q has no type/);
  assert.match(
    text.out,
    /meta__undocumented is hidden and its calls refused by policy\.toolQuality \(description-missing\)/,
  );
  assert.match(text.out, /^off: not checked: its tools were never listed; start it \(switchboard server start off\)/m);

  const json = await cli(h.dataDir, 'meta', '--json');
  assert.equal(json.code, 1);
  const report = JSON.parse(json.out) as { source: string; servers: ServerLintReport[] };
  assert.equal(report.source, 'list-cache');
  assert.equal(report.servers.length, 1);
  const [meta] = report.servers;
  assert.ok(meta?.listed);
  const byTool = Object.fromEntries(meta.tools.map((tool) => [tool.exposed, tool]));
  assert.deepEqual(Object.keys(byTool), ['meta__link', 'meta__stats', 'meta__undocumented']);
  assert.deepEqual(byTool.meta__link!.findings, []);
  assert.deepEqual(
    byTool.meta__undocumented!.findings.map((f) => [f.rule, f.severity, f.path]),
    [
      ['description-missing', 'error', 'description'],
      ['param-description-missing', 'warning', 'inputSchema.properties.q'],
      ['param-type-missing', 'warning', 'inputSchema.properties.q'],
      ['annotations-missing', 'info', 'annotations'],
    ],
  );
  assert.deepEqual(byTool.meta__undocumented!.blockedBy, ['description-missing']);

  // The same data directory without a running serve (no control socket): the same report.
  const copy = await mkdtemp(join(tmpdir(), 'switchboard-lint-'));
  t.after(() => rm(copy, { recursive: true, force: true }));
  await cp(dataDirPaths(h.dataDir).config, dataDirPaths(copy).config);
  await cp(lists, dataDirPaths(copy).lists, { recursive: true });
  const offline = await cli(copy, 'meta', '--json');
  assert.deepEqual(JSON.parse(offline.out), report);

  const unknown = await cli(copy, 'nope');
  assert.equal(unknown.code, 1);
  assert.equal(unknown.err, 'tools lint: no server named "nope"; configured: meta, off\n');
  const tooMany = await cli(copy, 'meta', 'off');
  assert.equal(tooMany.code, 2);
  assert.match(tooMany.err, /expected at most one server name/);
});
