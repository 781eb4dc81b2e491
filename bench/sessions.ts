// "No process per client session": the processes below a gateway, counted before and after more clients connect.
import { setTimeout as sleep } from 'node:timers/promises';
import { descendants } from './proc.ts';
import { echoCall, type Connection } from './targets/connection.ts';
import type { Target } from './targets/target.ts';

/** Time for a peer that starts a process per session to have it show up under its own pid. */
const SETTLE_MS = 300;

/** Extra processes per extra session: 0 when sessions share the gateway's servers. */
export async function processesPerSession(target: Target, extraSessions: number): Promise<number> {
  if (target.pid === null) throw new Error(`${target.name} has no gateway process to count children of`);
  const before = descendants(target.pid).length;
  const opened: Connection[] = [];
  try {
    for (let i = 0; i < extraSessions; i += 1) {
      const connection = await target.connect();
      opened.push(connection);
      await echoCall(connection.client, target.tool)('session check');
    }
    await sleep(SETTLE_MS);
    return (descendants(target.pid).length - before) / extraSessions;
  } finally {
    await Promise.all(opened.map((c) => c.close()));
  }
}
