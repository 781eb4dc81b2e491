// Quitting drains: the first quit (tray, Cmd+Q, system shutdown) is held back while the core stops (calls in
// flight get the gateway's drainMs, then every server is stopped and waited for), then the app quits. The wait
// is bounded: past it the app exits anyway, and the orphan watchdog, never stood down, reaps what is left.
import type { AppPart } from './electron-parts.ts';

export interface GracefulQuitOptions {
  readonly app: Pick<AppPart, 'on' | 'quit' | 'exit'>;
  readonly stop: () => Promise<void>;
  readonly timeoutMs: number;
  /** Called once when stopping begins (the tray says so, the window closes). */
  readonly onStopping: () => void | Promise<void>;
  readonly onTimeout: () => void;
}

export function holdQuitForShutdown(o: GracefulQuitOptions): void {
  let phase: 'running' | 'stopping' | 'stopped' = 'running';
  o.app.on('before-quit', (event) => {
    if (phase === 'stopped') return;
    event.preventDefault();
    if (phase === 'stopping') return;
    phase = 'stopping';
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), o.timeoutMs)));
    const stopped = (async () => {
      await o.onStopping();
      await o.stop();
      return true as const;
    })().catch(() => true as const);
    void Promise.race([stopped, timedOut]).then((finished) => {
      clearTimeout(timer);
      phase = 'stopped';
      if (finished) return o.app.quit();
      o.onTimeout();
      o.app.exit(1);
    });
  });
}
