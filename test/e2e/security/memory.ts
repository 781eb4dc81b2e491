// Memory measurements for the limit tests. The core runs in the test's own process, so its RSS is the gateway's
// (plus the test's small client side); a forced GC before the baseline keeps earlier garbage out of the result.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function settledRss(): number {
  gc();
  gc();
  return process.memoryUsage().rss;
}

/** What the process holds on to (V8 heap plus buffers outside it) once garbage is collected. */
export function settledHeap(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** Samples RSS every few milliseconds until stopped; `stop` returns the peak seen. */
export function rssPeak(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/** Samples the V8 heap plus buffers outside it every few milliseconds until stopped; `stop` returns the peak. */
export function heapPeak(): { stop(): number } {
  const held = (): number => {
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.external;
  };
  let peak = held();
  const timer = setInterval(() => (peak = Math.max(peak, held())), 5);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, held());
    },
  };
}

export const MiB = 1024 * 1024;
