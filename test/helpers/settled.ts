// Whether a promise has settled, told by event-loop turns rather than by the wall clock, so a test can say
// "answered without waiting" or "still waiting" and mean it on a loaded machine too.
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Resolves true if `promise` settles within `turns` turns of the event loop. Work that only chains promises and
 * in-memory I/O settles in a handful of turns; work that waits on a timer does not settle until that timer fires.
 */
export async function settlesWithin<T>(promise: Promise<T>, turns = 50): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < turns && !settled; i += 1) await nextTurn();
  return settled;
}
