// The Helm chart in deploy/helm/switchboard, rendered by a real helm for the default values and variants: it lints
// strictly, every object passes its Kubernetes API schema, every pod runs locked down, probes and Secrets point where
// the processes expect, and the config.json it writes is one the gateway accepts. No cluster runs here: what a
// cluster's admission would add (unknown fields, policies) is not checked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSchema, gatewaySchema } from '../../../main/config/schema.ts';
import { lintChart, renderChart, schemaProblem, skipWithoutHelm, type KubeObject } from '../../helpers/helm.ts';

const skip = skipWithoutHelm();

const PUBLIC_KEY = 'Qx7dVvJk1GmVd3Zb4S2m9lYw0oQeT8rU5nC6aH1pXsE';

const TEAM = {
  enabled: true,
  team: 'acme',
  publicKey: PUBLIC_KEY,
  database: { existingSecret: 'acme-team-db', key: 'url' },
};

/** The values each variant renders with; `defaults` is the chart's values.yaml alone. */
const VARIANTS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'team server, ServiceMonitor, secrets': {
    teamServer: { ...TEAM, replicas: 2, ingress: { enabled: true, host: 'team.acme.test', tlsSecretName: 'team-tls' } },
    gateway: {
      tokens: { existingSecret: 'gateway-tokens' },
      vault: { existingSecret: 'gateway-vault' },
      config: {
        servers: {
          github: {
            url: 'https://api.githubcopilot.com/mcp/',
            headers: { Authorization: 'Bearer ${secret:GITHUB_TOKEN}' },
          },
        },
        audit: { retentionDays: 30 },
        gateway: { maxBodyBytes: 1048576 },
      },
    },
    metrics: {
      serviceMonitor: {
        enabled: true,
        labels: { release: 'kube-prometheus-stack' },
        gateway: { tokenSecret: { name: 'prometheus-gateway-token' } },
        teamServer: { tokenSecret: { name: 'prometheus-team-token' } },
      },
    },
  },
  'ingress off, one gateway pod': {
    gateway: { replicas: 1, ingress: { enabled: false } },
  },
  'five gateway pods, shared-gateway auth, long drain': {
    gateway: {
      replicas: 5,
      drainMs: 45_500,
      preStopSeconds: 8,
      publicHosts: ['mcp.acme.test'],
      allowedOrigins: ['https://tools.acme.test'],
      auth: {
        jwt: {
          issuer: 'https://idp.acme.test/',
          audience: 'switchboard',
          jwksUrl: 'https://idp.acme.test/jwks.json',
          memberClaim: 'sub',
          clientClaim: 'azp',
        },
        teamServer: { url: 'https://team.acme.test' },
      },
      ingress: { affinity: { hashBy: '$http_x_client_id' } },
    },
  },
};

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name: string; containerPort: number }[];
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}

interface PodSpec {
  securityContext?: Record<string, unknown> & { seccompProfile?: { type: string } };
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  volumes?: { name: string; emptyDir?: object; secret?: { secretName: string }; configMap?: { name: string } }[];
  automountServiceAccountToken?: boolean;
}

function render(values: Record<string, unknown>): KubeObject[] {
  const rendered = renderChart(values);
  if (!rendered.ok) assert.fail(`helm template failed:\n${rendered.err}`);
  return rendered.objects;
}

function one(objects: KubeObject[], kind: string, component: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name.endsWith(`-${component}`));
  assert.equal(found.length, 1, `one ${kind} for ${component}, found ${found.map((o) => o.metadata.name).join(', ')}`);
  return found[0]!;
}

function podSpec(deployment: KubeObject): PodSpec {
  return (deployment['spec'] as { template: { spec: PodSpec } }).template.spec;
}

function container(deployment: KubeObject, name: string): Container {
  const found = podSpec(deployment).containers.find((c) => c.name === name);
  assert.ok(found, `${deployment.metadata.name} has a container ${name}`);
  return found;
}

function secretRef(c: Container, env: string): { name: string; key: string } | undefined {
  return c.env?.find((e) => e.name === env)?.valueFrom?.secretKeyRef;
}

/** The port number a probe names, through the container's named ports. */
function probePort(c: Container, port: string | number | undefined): number | undefined {
  return typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}

function gatewayConfigOf(objects: KubeObject[]): Record<string, unknown> & { gateway: Record<string, unknown> } {
  const map = one(objects, 'ConfigMap', 'gateway') as KubeObject & { data: Record<string, string> };
  return JSON.parse(map.data['config.json']!) as Record<string, unknown> & { gateway: Record<string, unknown> };
}

/** The settings a Switchboard with shared-gateway authentication adds; absent from a schema that predates them. */
const SHARED_GATEWAY_KEYS = ['auth', 'publicHosts'] as const;

describe('the Helm chart', { skip }, () => {
  for (const [variant, values] of Object.entries(VARIANTS)) {
    describe(variant, () => {
      it('passes helm lint --strict', () => {
        assert.equal(lintChart(values), null);
      });

      it('renders only objects that pass their Kubernetes API schemas', async () => {
        const objects = render(values);
        assert.ok(objects.length >= 3, `rendered ${objects.length} objects`);
        const problems = (await Promise.all(objects.map(schemaProblem))).filter((p) => p !== null);
        assert.deepEqual(problems, []);
      });

      it('locks down every pod: non-root, read-only root, no escalation, no capabilities, RuntimeDefault seccomp', () => {
        const deployments = render(values).filter((o) => o.kind === 'Deployment');
        assert.ok(deployments.length >= 1);
        for (const deployment of deployments) {
          const pod = podSpec(deployment);
          const where = deployment.metadata.name;
          assert.equal(pod.securityContext?.['runAsNonRoot'], true, `${where}: runAsNonRoot`);
          assert.ok(Number(pod.securityContext?.['runAsUser']) > 0, `${where}: a numeric non-root user`);
          assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${where}: seccomp`);
          assert.equal(pod.automountServiceAccountToken, false, `${where}: no API token in the pod`);
          for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
            const sc = c.securityContext ?? {};
            assert.equal(sc['readOnlyRootFilesystem'], true, `${where}/${c.name}: read-only root`);
            assert.equal(sc['allowPrivilegeEscalation'], false, `${where}/${c.name}: no privilege escalation`);
            assert.equal(sc['runAsNonRoot'], true, `${where}/${c.name}: runAsNonRoot`);
            assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${where}/${c.name}: every capability dropped`);
            assert.equal(sc.capabilities?.add, undefined, `${where}/${c.name}: none added`);
          }
          const tmp = pod.volumes?.find((v) => v.name === 'tmp');
          assert.ok(tmp?.emptyDir, `${where}: /tmp is an emptyDir`);
        }
      });
    });
  }

  it('gives the gateway its data directory and /tmp as emptyDirs, and probes /readyz and /healthz on 7345', () => {
    const gateway = one(render({}), 'Deployment', 'gateway');
    const pod = podSpec(gateway);
    assert.ok(pod.volumes?.find((v) => v.name === 'data')?.emptyDir);
    const c = container(gateway, 'gateway');
    assert.deepEqual(c.args, ['serve']);
    assert.equal(c.env?.find((e) => e.name === 'SWITCHBOARD_HOME')?.value, '/data');
    assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(probePort(c, c.readinessProbe?.httpGet?.port), 7345);
    assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(probePort(c, c.livenessProbe?.httpGet?.port), 7345);
  });

  it('runs the team server with its key from values, its database URL from a Secret, and probes on 7420', () => {
    const objects = render(VARIANTS['team server, ServiceMonitor, secrets']!);
    const c = container(one(objects, 'Deployment', 'team'), 'team-server');
    assert.deepEqual(c.args, ['team-server', '--team', 'acme', '--key', PUBLIC_KEY, '--listen', '0.0.0.0:7420']);
    assert.deepEqual(secretRef(c, 'SWITCHBOARD_TEAM_DATABASE_URL'), { name: 'acme-team-db', key: 'url' });
    assert.ok(!JSON.stringify(c).includes('postgres://'), 'no database URL in the pod spec itself');
    assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(probePort(c, c.readinessProbe?.httpGet?.port), 7420);
    assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(probePort(c, c.livenessProbe?.httpGet?.port), 7420);
    one(objects, 'PodDisruptionBudget', 'team');
  });

  it("takes the gateway's tokens, vault file and passphrase from the named Secrets", () => {
    const objects = render(VARIANTS['team server, ServiceMonitor, secrets']!);
    const gateway = one(objects, 'Deployment', 'gateway');
    const pod = podSpec(gateway);
    const secrets = (pod.volumes ?? []).flatMap((v) => (v.secret ? [v.secret.secretName] : []));
    assert.deepEqual(secrets.sort(), ['gateway-tokens', 'gateway-vault']);
    assert.deepEqual(secretRef(container(gateway, 'gateway'), 'SWITCHBOARD_VAULT_PASSPHRASE'), {
      name: 'gateway-vault',
      key: 'passphrase',
    });
    assert.equal(gatewayConfigOf(objects)['vault'], 'file');
  });

  it('keys ingress-nginx affinity on the Authorization header by default, and on what values name', () => {
    const annotation = 'nginx.ingress.kubernetes.io/upstream-hash-by';
    const byDefault = one(render({}), 'Ingress', 'gateway');
    assert.equal(byDefault.metadata.annotations?.[annotation], '$http_authorization');
    assert.equal(byDefault.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-buffering'], 'off');
    const chosen = one(render(VARIANTS['five gateway pods, shared-gateway auth, long drain']!), 'Ingress', 'gateway');
    assert.equal(chosen.metadata.annotations?.[annotation], '$http_x_client_id');
    const withLimit = one(render(VARIANTS['team server, ServiceMonitor, secrets']!), 'Ingress', 'gateway');
    assert.equal(withLimit.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-body-size'], '1048576');
  });

  it('renders no ingress and no disruption budget for one pod without ingress', () => {
    const objects = render(VARIANTS['ingress off, one gateway pod']!);
    assert.deepEqual(
      objects.filter((o) => o.kind === 'Ingress' || o.kind === 'PodDisruptionBudget').map((o) => o.kind),
      [],
    );
  });

  it('gives the gateway more time to stop than its preStop pause and drainMs together', () => {
    for (const values of Object.values(VARIANTS)) {
      const objects = render(values);
      const pod = podSpec(one(objects, 'Deployment', 'gateway'));
      const drainMs = Number(gatewayConfigOf(objects).gateway['drainMs']);
      const pause = Number(
        container(one(objects, 'Deployment', 'gateway'), 'gateway').lifecycle?.preStop?.exec?.command[1],
      );
      assert.ok(pause > 0, 'a preStop pause');
      assert.ok(
        pod.terminationGracePeriodSeconds! > pause + drainMs / 1000,
        `grace ${pod.terminationGracePeriodSeconds}s > ${pause}s + ${drainMs}ms`,
      );
    }
  });

  it('refuses to render a grace period that would cut the drain short', () => {
    const rendered = renderChart({
      gateway: { drainMs: 30_000, preStopSeconds: 5, terminationGracePeriodSeconds: 35 },
    });
    assert.equal(rendered.ok, false);
    assert.match(rendered.ok ? '' : rendered.err, /terminationGracePeriodSeconds \(35\) must exceed .* \(35\)/);
  });

  it('refuses a team server without its key, and a key that is not one', () => {
    const missing = renderChart({ teamServer: { ...TEAM, publicKey: '' } });
    assert.match(missing.ok ? '' : missing.err, /teamServer.publicKey is required/);
    const malformed = renderChart({ teamServer: { ...TEAM, publicKey: 'not-a-key' } });
    assert.match(malformed.ok ? '' : malformed.err, /publicKey/);
  });

  it('scrapes each component with a bearer token from a Secret when the ServiceMonitor is on', () => {
    const objects = render(VARIANTS['team server, ServiceMonitor, secrets']!);
    const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
    assert.deepEqual(monitors.map((m) => m.metadata.name).sort(), ['sb-switchboard-gateway', 'sb-switchboard-team']);
    for (const monitor of monitors) {
      const endpoint = (monitor['spec'] as { endpoints: Record<string, unknown>[] }).endpoints[0]!;
      assert.equal(endpoint['path'], '/metrics');
      assert.equal((endpoint['authorization'] as { type: string }).type, 'Bearer');
    }
    assert.deepEqual(
      render({}).filter((o) => o.kind === 'ServiceMonitor'),
      [],
    );
    const noToken = renderChart({ metrics: { serviceMonitor: { enabled: true } } });
    assert.match(noToken.ok ? '' : noToken.err, /tokenSecret.name is required/);
  });

  it("writes a config.json the gateway's own schema accepts, with the chart's gateway settings", () => {
    const sharedKnown = SHARED_GATEWAY_KEYS.every((key) => Object.hasOwn(gatewaySchema.shape, key));
    for (const [variant, values] of Object.entries(VARIANTS)) {
      const config = gatewayConfigOf(render(values));
      assert.equal(config.gateway['host'], '0.0.0.0', variant);
      assert.equal(config.gateway['port'], 7345, variant);
      const checked = structuredClone(config);
      // A schema from before shared-gateway authentication refuses these keys; they are checked below instead.
      if (!sharedKnown) for (const key of SHARED_GATEWAY_KEYS) delete checked.gateway[key];
      const parsed = configSchema.safeParse(checked);
      assert.ok(parsed.success, `${variant}: ${JSON.stringify(parsed.error?.issues)}`);
    }
  });

  it('renders the shared-gateway settings only when the values set them', () => {
    assert.deepEqual(
      SHARED_GATEWAY_KEYS.filter((key) => key in gatewayConfigOf(render({})).gateway),
      [],
    );
    const values = VARIANTS['five gateway pods, shared-gateway auth, long drain']!;
    const gateway = gatewayConfigOf(render(values)).gateway;
    const set = values['gateway'] as { auth: unknown; publicHosts: unknown };
    assert.deepEqual(gateway['auth'], set.auth);
    assert.deepEqual(gateway['publicHosts'], set.publicHosts);
    const teamOnly = gatewayConfigOf(render({ gateway: { auth: { teamServer: { url: 'https://team.acme.test' } } } }));
    assert.deepEqual(teamOnly.gateway['auth'], { teamServer: { url: 'https://team.acme.test' } });
  });
});
