// Getting through an authorization: connect (or send a request); when the SDK stops at "a person must authorize"
// (`UnauthorizedError`), get the code (from the headless fetch, or the browser's answer at the loopback listener),
// redeem it, and try again. Bounded: a server that keeps asking is given up on with its last error.
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { SwitchboardOAuthProvider } from './oauth-provider.ts';

/** At most this many authorizations for one connect or request (a step-up after a first login included). */
const MAX_ROUNDS = 3;

export async function withSignIn<T>(
  provider: SwitchboardOAuthProvider,
  attempt: () => Promise<T>,
  /** Waits for the browser's answer when the code did not come back by itself. */
  waitForCode: () => Promise<string>,
): Promise<T> {
  for (let round = 0; ; round += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof UnauthorizedError) || round >= MAX_ROUNDS) throw error;
      const code = provider.takePendingCode() ?? (await waitForCode());
      await provider.finish(code);
    }
  }
}
