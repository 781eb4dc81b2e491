// The team server's HTTP routes (docs/team.md): health, the policy feed and its publishing, audit ingest, who a
// token belongs to, metrics, and the team dashboard's paths handed to its handler. Each route only parses, asks
// the module that does the work and maps the result; who may call what is decided here, from the bearer token
// (or the dashboard's session cookie), before anything else is read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { readBody } from '../gateway/http/body-reader.ts';
import { replyJson } from '../gateway/http/http-reply.ts';
import type { VerifyKey } from '../team-policy/verify-document.ts';
import type { IngestGate } from './ingest-gate.ts';
import { ingestRoute } from './ingest-route.ts';
import { authenticate, bearerToken, memberById, type Member } from './members.ts';
import { listPolicyVersions, newestPolicy, policyVersion, publishPolicy } from './policy-versions.ts';
import type { TeamMetrics } from './team-metrics.ts';
import type { TeamSessions } from './team-sessions.ts';
import { servesTeamDashboard, type TeamDashboard } from './team-api.ts';
import { redirectWithSession } from '../dashboard/dashboard-access.ts';

/** A policy document is at most 1 MiB, as a desktop reads it. */
export const MAX_POLICY_BYTES = 1024 * 1024;

/** The team dashboard (`createTeamApi`): gets `/api/*`, `/` and `/assets/*` once an admin is known. */
export type TeamApi = TeamDashboard;

export interface RouteDeps {
  readonly pool: pg.Pool;
  readonly key: VerifyKey;
  readonly gate: IngestGate;
  readonly metrics: TeamMetrics;
  readonly sessions: TeamSessions;
  readonly teamApi: TeamApi | undefined;
  readonly log: (message: string) => void;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, deps: RouteDeps) => Promise<void>;

function refuse(res: ServerResponse, deps: RouteDeps, route: string, status: number, reason: string, error: string) {
  deps.metrics.refused(route, reason);
  replyJson(res, status, { error, reason });
}

/** The caller's member, or null after answering 401 (no valid token) or 403 (not an admin when one is needed). */
async function caller(
  req: IncomingMessage,
  res: ServerResponse,
  deps: RouteDeps,
  route: string,
  admin: boolean,
): Promise<Member | null> {
  const token = bearerToken(req.headers.authorization);
  let member = await authenticate(deps.pool, token);
  if (member === null && token === null && admin) {
    const id = deps.sessions.memberOf(req);
    member = id === null ? null : await memberById(deps.pool, id);
  }
  if (member === null) {
    refuse(
      res,
      deps,
      route,
      401,
      'token',
      'a member token is needed (Authorization: Bearer sbm_…); this one is missing, unknown or revoked',
    );
    return null;
  }
  if (admin && !member.admin) {
    refuse(res, deps, route, 403, 'admin', `member "${member.name}" is not an admin of this team`);
    return null;
  }
  return member;
}

const getPolicy: Handler = async (req, res, _url, deps) => {
  const newest = await newestPolicy(deps.pool);
  if (newest === null) {
    return refuse(
      res,
      deps,
      '/policy',
      404,
      'none',
      'no policy is published yet; publish one with: switchboard policy publish FILE --key PRIVATE_KEY_FILE --to URL',
    );
  }
  const etag = `"${newest.sha256}"`;
  const asked = (req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim());
  if (asked.includes(etag) || asked.includes('*')) {
    res.writeHead(304, { etag }).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/jose', etag, 'cache-control': 'no-cache' }).end(newest.jws);
};

const postPolicy: Handler = async (req, res, _url, deps) => {
  const body = await readBody(req, MAX_POLICY_BYTES);
  if (!body.ok) {
    if (body.reason === 'too-large')
      refuse(res, deps, '/policy', 413, 'oversized', `a policy document is at most ${MAX_POLICY_BYTES} bytes`);
    return;
  }
  const published = await publishPolicy(deps.pool, body.body.toString('utf8'), deps.key);
  if (!published.ok) return refuse(res, deps, '/policy', published.status, published.reason, published.error);
  deps.log(`policy version ${published.version} published`);
  replyJson(res, 201, { version: published.version });
};

const getVersions: Handler = async (req, res, url, deps) => {
  if ((await caller(req, res, deps, '/policy/versions', true)) === null) return;
  const n = url.pathname.slice('/policy/versions/'.length);
  if (url.pathname === '/policy/versions') return replyJson(res, 200, await listPolicyVersions(deps.pool));
  const version = /^\d{1,15}$/.test(n) ? Number(n) : null;
  const jws = version === null ? null : await policyVersion(deps.pool, version);
  if (jws === null)
    return refuse(res, deps, '/policy/versions', 404, 'none', `no policy version "${n.slice(0, 40)}" is published`);
  res.writeHead(200, { 'content-type': 'application/jose' }).end(jws);
};

const membersMe: Handler = async (req, res, _url, deps) => {
  const member = await caller(req, res, deps, '/members/me', false);
  if (member !== null) replyJson(res, 200, { member: member.name, admin: member.admin });
};

const metrics: Handler = async (req, res, _url, deps) => {
  if ((await caller(req, res, deps, '/metrics', true)) === null) return;
  const text = await deps.metrics.text();
  res.writeHead(200, { 'content-type': deps.metrics.registry.contentType }).end(text);
};

const dashboard: Handler = async (req, res, url, deps) => {
  // Opening `/?token=…` trades an admin token for a session cookie, then drops the token from the address.
  const offered = url.pathname === '/' ? url.searchParams.get('token') : null;
  if (offered !== null) {
    const member = await authenticate(deps.pool, offered);
    if (member === null || !member.admin) {
      return refuse(res, deps, '/', 401, 'token', 'that token is not an admin token of this team');
    }
    return redirectWithSession(res, deps.sessions.open(member));
  }
  const member = await caller(req, res, deps, '/api', true);
  if (member === null) return;
  if (deps.teamApi === undefined) {
    return refuse(res, deps, '/api', 404, 'not-found', 'this team server has no dashboard');
  }
  await deps.teamApi.handle(req, res, url, { name: member.name, admin: member.admin });
};

/** The handler for a method and path; null when the path is not one of ours (404), 'method' when it is but not so (405). */
export function routeOf(method: string, path: string): Handler | 'method' | null {
  const pick = (handlers: Record<string, Handler>): Handler | 'method' => handlers[method] ?? 'method';
  if (path === '/policy') return pick({ GET: getPolicy, HEAD: getPolicy, POST: postPolicy });
  if (path === '/policy/versions' || path.startsWith('/policy/versions/')) return pick({ GET: getVersions });
  if (path === '/audit/ingest') return pick({ POST: (req, res, _url, deps) => ingestRoute(req, res, deps) });
  if (path === '/members/me') return pick({ GET: membersMe });
  if (path === '/metrics') return pick({ GET: metrics });
  if (path === '/api' || servesTeamDashboard(path)) return dashboard;
  return null;
}
