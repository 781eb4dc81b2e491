// The team dashboard's door on a team server: the built dashboard at `/` (marked as a team page, so the renderer
// opens its team mode) and `/assets/…`, and `POST /api/<method>` for the calls of preload/team-contract.ts. The
// team server's router authenticates first (an admin member's token as a bearer, or the session cookie its link
// set) and hands the member in; each call's input is checked here before any SQL runs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { z } from 'zod';
import type { Answer, FieldProblem } from '../../preload/contract.ts';
import { API_PREFIX } from '../../preload/contract.ts';
import { DASHBOARD_MODE_META, TEAM_METHODS, type TeamMethod } from '../../preload/team-contract.ts';
import { AUDIT_OUTCOMES } from '../audit/audit-event.ts';
import { readApiInput } from '../dashboard/api-request.ts';
import { RendererFiles } from '../dashboard/renderer-files.ts';
import { NO_STORE, serveAsset, servePage } from '../dashboard/renderer-response.ts';
import { replyJson } from '../gateway/http/http-reply.ts';
import { MAX_TEAM_PAGE, queryTeamAudit, teamActivity, teamPolicyStatus } from './team-query.ts';

/** The largest input is a query of a few short strings. */
const MAX_API_BODY = 64 * 1024;

export interface TeamMember {
  readonly name: string;
  readonly admin: boolean;
}

export interface TeamApiDeps {
  readonly pool: pg.Pool;
  /** The built renderer; read from renderer/dist when not given. */
  readonly files?: RendererFiles;
  readonly now?: () => number;
}

export interface TeamDashboard {
  /** Answers a request for `/`, `/assets/…` or `/api/…` from an authenticated member. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, member: TeamMember): Promise<void>;
}

/** The paths the team dashboard answers; the router sends these (after authentication) to `handle`. */
export function servesTeamDashboard(path: string): boolean {
  return path === '/' || path.startsWith(API_PREFIX) || path.startsWith('/assets/') || path === '/favicon.svg';
}

const text = z.string().min(1, 'must not be empty').max(512, 'must be at most 512 characters');
const millis = z.number().int('must be a whole number').min(0, 'must be 0 or more').max(Number.MAX_SAFE_INTEGER);

const SCHEMAS = {
  teamAudit: z
    .object({
      member: text.optional(),
      install: text.optional(),
      client: text.optional(),
      server: text.optional(),
      tool: text.optional(),
      outcome: z.enum(AUDIT_OUTCOMES, { error: `must be one of ${AUDIT_OUTCOMES.join(', ')}` }).optional(),
      text: text.optional(),
      since: millis.optional(),
      until: millis.optional(),
      cursor: z.string().max(128, 'must be at most 128 characters').optional(),
      limit: z.number().int().min(1).max(MAX_TEAM_PAGE, `must be at most ${MAX_TEAM_PAGE}`).optional(),
    })
    .strict(),
  teamActivity: z
    .object({ since: millis, until: millis.optional() })
    .strict()
    .refine((q) => q.until === undefined || q.until >= q.since, {
      message: 'until must not be before since',
      path: ['until'],
    }),
  teamPolicy: z.object({}).strict(),
} satisfies { readonly [M in TeamMethod]: z.ZodType };

type Input<M extends TeamMethod> = z.output<(typeof SCHEMAS)[M]>;

function isTeamMethod(method: string): method is TeamMethod {
  return (TEAM_METHODS as readonly string[]).includes(method);
}

/** The input when well-formed, otherwise each problem by field, named with the call. */
function checkTeamInput<M extends TeamMethod>(method: M, input: unknown): Answer<Input<M>> {
  const parsed = SCHEMAS[method].safeParse(input ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as Input<M> };
  const problems: FieldProblem[] = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const summary = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
  return { ok: false, error: `${method}: ${summary}`, problems };
}

/** Marks the page as the team dashboard's: the renderer reads this before it draws anything. */
function markTeamPage(html: string): string {
  const meta = `<meta name="${DASHBOARD_MODE_META}" content="team">`;
  const head = /<head[^>]*>/i.exec(html);
  return head === null ? meta + html : html.replace(head[0], head[0] + meta);
}

export function createTeamApi(deps: TeamApiDeps): TeamDashboard {
  const files = deps.files ?? new RendererFiles();
  const now = deps.now ?? Date.now;

  async function run(method: TeamMethod, input: unknown): Promise<Answer<unknown>> {
    switch (method) {
      case 'teamAudit': {
        const q = input as Input<'teamAudit'>;
        const { tool, ...rest } = q;
        return queryTeamAudit(deps.pool, { ...rest, target: tool });
      }
      case 'teamActivity': {
        const q = input as Input<'teamActivity'>;
        return { ok: true, value: await teamActivity(deps.pool, q.since, q.until ?? now()) };
      }
      case 'teamPolicy':
        return { ok: true, value: await teamPolicyStatus(deps.pool) };
    }
  }

  async function api(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (!isTeamMethod(method)) {
      return replyJson(res, 404, { ok: false, error: `Not Found: no team dashboard call named "${method}"` }, NO_STORE);
    }
    const call = await readApiInput(req, res, method, MAX_API_BODY);
    if (call === null) return;
    const checked = checkTeamInput(method, call.input);
    if (!checked.ok) return replyJson(res, 400, checked, NO_STORE);
    let answer: Answer<unknown>;
    try {
      answer = await run(method, checked.value);
    } catch (error) {
      // The database is away or refused the query: worth a retry, and nothing about it is the caller's fault.
      return replyJson(
        res,
        503,
        { ok: false, error: `${method}: the team database did not answer: ${(error as Error).message}` },
        { ...NO_STORE, 'retry-after': '5' },
      );
    }
    replyJson(res, answer.ok ? 200 : 400, answer, NO_STORE);
  }

  return {
    async handle(req, res, url, member) {
      if (!member.admin) {
        return replyJson(res, 403, {
          ok: false,
          error: `Forbidden: the team dashboard is for admin members, and ${member.name} is not one (an admin adds one with \`switchboard team-server member add NAME --admin\`)`,
        });
      }
      if (url.pathname.startsWith(API_PREFIX)) return api(req, res, url.pathname.slice(API_PREFIX.length));
      if (url.pathname !== '/') return serveAsset(req, res, files, url.pathname);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return replyJson(res, 405, { ok: false, error: 'use GET' }, { allow: 'GET, HEAD' });
      }
      servePage(res, files, markTeamPage);
    },
  };
}
