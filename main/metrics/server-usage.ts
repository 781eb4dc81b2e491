// CPU and memory of each server process, sampled with pidusage (which reads /proc on Linux and asks the OS
// elsewhere): the whole point of supervising a server is to see when it eats the machine.
import pidusage from 'pidusage';

export interface Usage {
  readonly cpuSeconds: number;
  readonly rssBytes: number;
}

/** Samples the given pids; a process that has gone is left out rather than failing the rest. */
export async function sampleUsage(pids: ReadonlyMap<string, number>): Promise<Map<string, Usage>> {
  const out = new Map<string, Usage>();
  await Promise.all(
    [...pids].map(async ([server, pid]) => {
      try {
        const stat = await pidusage(pid);
        out.set(server, { cpuSeconds: stat.ctime / 1000, rssBytes: stat.memory });
      } catch {
        // Exited between the listing and the sample.
      }
    }),
  );
  return out;
}

export function clearUsageCache(): void {
  pidusage.clear();
}
