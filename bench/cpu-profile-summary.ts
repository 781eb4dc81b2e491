// Reads a V8 .cpuprofile (node --cpu-prof) and tells where the time went: the functions with the most self time,
// the callers that time came through, and the same time grouped by source (a file of Switchboard, a package,
// Node's internals, or V8 itself).
//
// V8 samples wall time while the thread is not idle: a write that wakes another process (a pipe to a child, a
// socket to the client) can be charged for the time this process then waits for a core. On a machine with few
// cores, read a large share in writeUtf8String as scheduling, and compare with the CPU time from /proc.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Share {
  readonly name: string;
  readonly ms: number;
  /** Of the time the process was not idle. */
  readonly percent: number;
}

export interface HotFunction extends Share {
  /** The callers this function's self time came through, most first. */
  readonly callers: readonly Share[];
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  readonly functions: readonly HotFunction[];
  readonly sources: readonly Share[];
}

export async function summarizeProfile(path: string, top: number, repoRoot: string): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const functions = new Map<string, number>();
  const callers = new Map<string, Map<string, number>>();
  const sources = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  // A sample's time is the gap to the next sample.
  for (let i = 0; i < profile.samples.length - 1; i += 1) {
    const node = byId.get(profile.samples[i]!);
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (node === undefined || ms <= 0) continue;
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const name = frameName(node, repoRoot);
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const caller = callerName(node, parentOf, repoRoot);
    const byCaller = callers.get(name) ?? new Map<string, number>();
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + ms);
    callers.set(name, byCaller);
    const source = sourceOf(url, functionName, repoRoot);
    sources.set(source, (sources.get(source) ?? 0) + ms);
  }
  const rank = (totals: Map<string, number>, count: number): Share[] =>
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, ms]) => ({ name, ms, percent: (100 * ms) / busyMs }));
  const hot = rank(functions, top).map((f) => ({ ...f, callers: rank(callers.get(f.name)!, CALLERS_SHOWN) }));
  return { busyMs, idleMs, functions: hot, sources: rank(sources, top) };
}

const CALLERS_SHOWN = 2;
/** How far up the stack to look for a caller that is not Node's own plumbing. */
const MAX_CALLER_DEPTH = 12;

function frameName(node: ProfileNode, repoRoot: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = shortUrl(url, repoRoot);
  return file === '' ? functionName || '(native)' : `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

/** The nearest caller outside Node's internals and native frames, which is the code that can be changed. */
function callerName(node: ProfileNode, parentOf: ReadonlyMap<number, ProfileNode>, repoRoot: string): string {
  let current = parentOf.get(node.id);
  for (let depth = 0; current !== undefined && depth < MAX_CALLER_DEPTH; depth += 1) {
    const { url } = current.callFrame;
    if (url !== '' && !url.startsWith('node:')) return frameName(current, repoRoot);
    current = parentOf.get(current.id);
  }
  return '(no caller outside node internals)';
}

function shortUrl(url: string, repoRoot: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  return path.startsWith(repoRoot) ? path.slice(repoRoot.length) : path;
}

/** Switchboard's files one by one, packages as a whole, Node's internals and V8's own entries by name. */
function sourceOf(url: string, functionName: string, repoRoot: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const path = shortUrl(url, repoRoot);
  if (path !== url && url.includes('/node_modules/')) {
    const parts = path.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return path;
}

export function formatSummary(summary: ProfileSummary): string {
  const lines = [
    `sampled busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms (wall time, see the note in bench/cpu-profile-summary.ts)`,
    '',
    'self time by function',
  ];
  const share = (s: Share): string =>
    `${s.percent.toFixed(1).padStart(5)}%  ${s.ms.toFixed(0).padStart(6)} ms  ${s.name}`;
  for (const f of summary.functions) {
    lines.push(share(f));
    for (const c of f.callers) lines.push(`${''.padStart(18)}from ${c.name} (${c.percent.toFixed(1)}%)`);
  }
  lines.push('', 'self time by source', ...summary.sources.map(share));
  return lines.join('\n') + '\n';
}
