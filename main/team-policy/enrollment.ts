// Enrollment in a team policy: the endpoint to poll, the team's Ed25519 public key and the team's name, kept in
// `team/enrollment.json` of the data directory. The team is given at enrollment (`--team`) rather than learnt
// from the first document: a key a team shares between feeds, or a feed swapped before the first sync, would
// otherwise decide which team this machine belongs to (T88).
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { formatPath } from '../config/config-problems.ts';
import { isIP } from 'node:net';

/** An Ed25519 public key as `enroll --key` takes it: the 32 raw bytes in base64url (a JWK's `x`), 43 characters. */
export const PUBLIC_KEY = /^[A-Za-z0-9_-]{43}$/;

/** How often the endpoint is asked, unless the enrollment says otherwise. */
export const DEFAULT_POLL_MS = 5 * 60 * 1000;
/** How long one fetch may take, headers and body together; a trickled answer is cut at this. */
export const DEFAULT_TIMEOUT_MS = 15_000;

export type Endpoint = { readonly ok: true; readonly url: URL } | { readonly ok: false; readonly error: string };

/** https anywhere, or http only to this machine: a policy fetched in the clear from elsewhere could be anyone's. */
export function checkEndpoint(text: string): Endpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {
      ok: false,
      error: `"${text}" is not a URL; give the full address, e.g. https://policy.example.com/team.jws`,
    };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, error: `${url.origin}: the URL must not carry a user name or password` };
  }
  if (url.protocol === 'https:') return { ok: true, url };
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return { ok: true, url };
  return {
    ok: false,
    error: `${url.href}: the policy endpoint must be https (http is accepted only for 127.0.0.1, ::1 or localhost)`,
  };
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  return (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
}

export const enrollmentSchema = z
  .object({
    url: z.string().refine((u) => checkEndpoint(u).ok, { message: 'must be an https URL (or http to loopback)' }),
    publicKey: z.string().regex(PUBLIC_KEY, 'must be an Ed25519 public key: 43 base64url characters'),
    team: z.string().min(1).max(128),
    pollMs: z.number().int().min(100).max(86_400_000).default(DEFAULT_POLL_MS),
    timeoutMs: z.number().int().min(100).max(300_000).default(DEFAULT_TIMEOUT_MS),
    enrolledAt: z.string(),
  })
  .strict();

export type Enrollment = z.infer<typeof enrollmentSchema>;

/** Where the team policy's files live: the enrollment, the cached document, and the version floor (apart). */
export interface TeamPaths {
  readonly dir: string;
  readonly enrollment: string;
  readonly cache: string;
  readonly floor: string;
}

export function teamPaths(dataDir: string): TeamPaths {
  const dir = join(dataDir, 'team');
  return {
    dir,
    enrollment: join(dir, 'enrollment.json'),
    cache: join(dir, 'policy.jws'),
    floor: join(dataDir, 'team-policy-floor.json'),
  };
}

export type ReadEnrollment =
  { readonly ok: true; readonly enrollment: Enrollment | null } | { readonly ok: false; readonly error: string };

/** Null when this machine is not enrolled; an error naming the field when the file is not usable. */
export async function readEnrollment(paths: TeamPaths): Promise<ReadEnrollment> {
  let text: string;
  try {
    text = await readFile(paths.enrollment, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, enrollment: null };
    return { ok: false, error: `${paths.enrollment} cannot be read: ${(error as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${paths.enrollment} is not JSON (${(error as Error).message}); enroll again` };
  }
  const parsed = enrollmentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      error: `${paths.enrollment}: ${formatPath(issue.path) || '(file)'} ${issue.message}; enroll again`,
    };
  }
  return { ok: true, enrollment: parsed.data };
}

export interface EnrollInput {
  readonly url: string;
  readonly publicKey: string;
  readonly team: string;
  readonly pollMs?: number;
  readonly timeoutMs?: number;
}

/** Checks and writes the enrollment; a new enrollment starts with no cached document and no version floor. */
export async function writeEnrollment(
  paths: TeamPaths,
  input: EnrollInput,
  now = new Date(),
): Promise<{ ok: true; enrollment: Enrollment } | { ok: false; error: string }> {
  const endpoint = checkEndpoint(input.url);
  if (!endpoint.ok) return endpoint;
  const parsed = enrollmentSchema.safeParse({ ...input, url: endpoint.url.href, enrolledAt: now.toISOString() });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `${formatPath(issue.path)} ${issue.message}` };
  }
  const previous = await readEnrollment(paths);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  // Another team's or another key's documents must not count toward this enrollment's version floor.
  const sameFeed =
    previous.ok &&
    previous.enrollment !== null &&
    previous.enrollment.team === parsed.data.team &&
    previous.enrollment.publicKey === parsed.data.publicKey;
  if (!sameFeed) await forgetDocuments(paths);
  await writeFileAtomic(paths.enrollment, JSON.stringify(parsed.data, null, 2) + '\n', 0o600);
  return { ok: true, enrollment: parsed.data };
}

/** Leaves the team: its enrollment, cached document and version floor go. */
export async function removeEnrollment(paths: TeamPaths): Promise<boolean> {
  const was = await readEnrollment(paths);
  await rm(paths.enrollment, { force: true });
  await forgetDocuments(paths);
  return !was.ok || was.enrollment !== null;
}

async function forgetDocuments(paths: TeamPaths): Promise<void> {
  await rm(paths.cache, { force: true });
  await rm(paths.floor, { force: true });
}
