// A real child process that announces itself on stdout (`serve` its URL, `team-server` where it listens): resolved
// with what the patterns matched once all have, rejected when it exits first or says nothing in time.
import { spawn, type ChildProcess } from 'node:child_process';

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export interface PrintingProcess {
  readonly child: ChildProcess;
  /** The first group of each pattern, in order. */
  readonly matches: readonly string[];
  readonly exited: Promise<Exit>;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
}

export function startPrinting(
  name: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv },
  patterns: readonly RegExp[],
  timeoutMs: number,
): Promise<PrintingProcess> {
  const child = spawn(process.execPath, [...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} printed no URL within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const found = patterns.map((pattern) => pattern.exec(out)?.[1]);
      if (found.some((match) => match === undefined)) return;
      clearTimeout(timer);
      resolve({ child, matches: found as string[], exited, stderr: () => err });
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before printing its URL; stderr: ${err}`));
    });
  });
}
