// Prometheus text at /metrics: requests by outcome with a latency histogram, server state and process usage,
// sessions per client, and a remote server's reachability and authorization apart from its process health.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startOAuthFixture } from '../../fixtures/oauth-server.ts';
import { fixtureServer, startHarness } from '../../helpers/gateway-harness.ts';

function value(text: string, metric: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${metric} `));
  return line === undefined ? null : Number(line.slice(metric.length + 1));
}

test('/metrics needs a token and counts what happened', async () => {
  const oauth = await startOAuthFixture({});
  const h = await startHarness({ servers: { fx: fixtureServer('echo'), far: { url: oauth.url } } });
  try {
    await h.waitForState('fx', (s) => s.state === 'running');
    await h.waitForState('far', (s) => s.state === 'blocked');
    const client = await h.connect();
    for (let i = 0; i < 3; i += 1) await client.callTool({ name: 'fx__echo', arguments: { text: `n${i}` } });
    await client.callTool({ name: 'fx__leak', arguments: { how: 'error' } });

    const anonymous = await fetch(`${h.origin}/metrics`);
    assert.equal(anonymous.status, 401);
    const response = await fetch(`${h.origin}/metrics`, { headers: { authorization: `Bearer ${h.token}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    assert.equal(
      value(text, 'switchboard_requests_total{server="fx",tool="echo",method="tools/call",outcome="ok"}'),
      3,
    );
    assert.equal(
      value(text, 'switchboard_requests_total{server="fx",tool="leak",method="tools/call",outcome="tool-error"}'),
      1,
    );
    assert.equal(
      value(text, 'switchboard_request_duration_seconds_count{server="fx",tool="echo",method="tools/call"}'),
      3,
    );
    assert.equal(value(text, 'switchboard_server_state{server="fx",state="running"}'), 1);
    assert.ok(
      value(text, 'switchboard_server_resident_bytes{server="fx"}')! > 1_000_000,
      'the process memory is sampled',
    );
    assert.ok(value(text, 'switchboard_server_cpu_seconds{server="fx"}')! > 0);
    assert.ok(value(text, 'switchboard_server_uptime_seconds{server="fx"}')! >= 0);
    assert.equal(value(text, 'switchboard_sessions{client="test-client"}'), 1);
    assert.equal(value(text, 'switchboard_remote_reachable{server="far"}'), 0);
    assert.equal(value(text, 'switchboard_remote_auth{server="far",auth="login-required"}'), 1);
    assert.equal(value(text, 'switchboard_audit_failing'), 0);
  } finally {
    await h.close();
    await oauth.close();
  }
});
