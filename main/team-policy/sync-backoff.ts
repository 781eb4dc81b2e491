// When the next poll happens: every `pollMs` while the endpoint answers, and after failures sooner at first then
// less and less often (doubling from the smaller of the poll interval and 10 s, up to 16 poll intervals), so a
// feed that is down is neither hammered by every machine of a team nor left unasked for long. Jitter of ±20 %
// spreads a team's machines apart after an outage they all saw at once.

const FIRST_RETRY_MAX_MS = 10_000;

/** Delay before the next poll after `failures` consecutive failures (0: the last poll went well). */
export function nextPollDelay(pollMs: number, failures: number, random: () => number = Math.random): number {
  const base =
    failures === 0 ? pollMs : Math.min(Math.min(pollMs, FIRST_RETRY_MAX_MS) * 2 ** (failures - 1), pollMs * 16);
  const jitter = 0.8 + 0.4 * random();
  return Math.round(base * jitter);
}
