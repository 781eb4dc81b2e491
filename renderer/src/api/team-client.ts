// The team dashboard's transport: the calls of preload/team-contract.ts over the same HTTP form as `serve`'s
// (postCall). A team server pushes no events, so there is no socket; a lost session (401) is an answer that says
// how to sign in again.
import { DASHBOARD_MODE_META, TEAM_METHODS, type TeamApi, type TeamMethod } from '../../../preload/team-contract.ts';
import { postCall } from './http-client.ts';

export const TEAM_SESSION_LOST =
  'The team dashboard session has ended. Open the team server with an admin token (/?token=…) to sign in again.';

/** Whether a team server served this page: it marks its page, a desktop's has no mark. */
export function isTeamPage(doc: Pick<Document, 'querySelector'>): boolean {
  return doc.querySelector(`meta[name="${DASHBOARD_MODE_META}"]`)?.getAttribute('content') === 'team';
}

export function teamClient(options: { readonly origin: string; readonly fetch?: typeof fetch }): TeamApi {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  return Object.fromEntries(
    TEAM_METHODS.map((method: TeamMethod) => [
      method,
      async (input: unknown) => {
        const answer = await postCall(doFetch, options.origin, method, input);
        return answer === 'unauthorized' ? { ok: false, error: TEAM_SESSION_LOST } : answer;
      },
    ]),
  ) as unknown as TeamApi;
}
