// Helm for the chart tests: finds the binary, renders deploy/helm/switchboard with a set of values, parses what it
// printed, and checks each object against the Kubernetes API schemas (kubernetes-models, and the prometheus-operator
// models for ServiceMonitor). Where helm is missing the suite is skipped with the reason, except in CI, where that
// is a failure (.ci/run installs it into .tools/helm).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHART_DIR = join(REPO_ROOT, 'deploy/helm/switchboard');

/** A rendered Kubernetes object; only the fields every object has are typed. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** helm on PATH, else the copy .ci/run unpacks into .tools/helm; null when neither exists. */
export function findHelm(): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, 'helm'))) return join(dir, 'helm');
  }
  const tools = join(REPO_ROOT, '.tools/helm/helm');
  return executable(tools) ? tools : null;
}

/** The reason to skip when helm is missing (a failure in CI), or false when it is there. */
export function skipWithoutHelm(): string | false {
  if (findHelm() !== null) return false;
  const reason = 'helm is not on PATH or in .tools/helm (.ci/run installs it)';
  if (process.env['CI']) throw new Error(`the Helm chart tests cannot run: ${reason}`);
  return reason;
}

/** Runs helm with the given values written to a temporary file; the output, or helm's error text. */
function runHelm(
  args: readonly string[],
  values: Record<string, unknown>,
): { ok: true; out: string } | { ok: false; err: string } {
  const helm = findHelm();
  if (helm === null) throw new Error('helm is missing');
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-helm-'));
  try {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, stringify(values));
    const result = spawnSync(helm, [...args, CHART_DIR, '--values', file], { encoding: 'utf8', timeout: 60_000 });
    if (result.status === 0) return { ok: true, out: result.stdout };
    return { ok: false, err: `${result.stderr}${result.stdout}${result.error?.message ?? ''}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm lint --strict` with these values: null when clean, else what helm reported. */
export function lintChart(values: Record<string, unknown>): string | null {
  const result = runHelm(['lint', '--strict'], values);
  return result.ok ? null : result.err;
}

/** `helm template` with these values: the objects, or helm's error text (a `fail` or `required` in the chart). */
export function renderChart(
  values: Record<string, unknown>,
): { ok: true; objects: KubeObject[] } | { ok: false; err: string } {
  const result = runHelm(['template', 'sb', '--namespace', 'team'], values);
  if (!result.ok) return result;
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(result.out)) {
    if (doc.errors.length > 0) throw new Error(`helm printed YAML that does not parse: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as KubeObject | null;
    if (value !== null) objects.push(value);
  }
  return { ok: true, objects };
}

type Model = new (data: unknown) => { validate(): void };

/** The module of an apiVersion in kubernetes-models (`apps/v1`, core `v1`) or the prometheus-operator models. */
async function modelFor(object: KubeObject): Promise<Model> {
  const specifier =
    object.apiVersion === 'monitoring.coreos.com/v1'
      ? '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1'
      : `kubernetes-models/${object.apiVersion}`;
  const module = (await import(specifier)) as Record<string, Model | undefined>;
  const model = module[object.kind];
  if (model === undefined) throw new Error(`no schema for ${object.kind} in ${specifier}`);
  return model;
}

/** Checks one object against its API schema; the schema's complaint, naming the object, or null. */
export async function schemaProblem(object: KubeObject): Promise<string | null> {
  const Model = await modelFor(object);
  try {
    new Model(object).validate();
    return null;
  } catch (error) {
    return `${object.kind} ${object.metadata.name}: ${(error as Error).message}`;
  }
}
