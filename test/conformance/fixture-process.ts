// The conformance upstream in its HTTP mode, as a child process on an ephemeral port. It exits when its stdin
// closes, so a test process that dies does not leave it behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../helpers/gateway-harness.ts';

export const CONFORMANCE_FIXTURE = join(REPO, 'test/fixtures/conformance-upstream/main.ts');

export interface FixtureProcess {
  readonly url: string;
  close(): Promise<void>;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function startHttpFixture(timeoutMs = 15_000): Promise<FixtureProcess> {
  const child = spawn(process.execPath, [CONFORMANCE_FIXTURE, '--http', '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 20_000) stderr += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop(child).then(() => reject(new Error(`the conformance fixture did not start: ${why}\n${stderr}`)));
    };
    const timer = setTimeout(() => fail(`no URL within ${timeoutMs} ms`), timeoutMs);
    child.once('exit', (code) => fail(`exited with ${code}`));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const { url } = JSON.parse(line) as { url: string };
      resolve({ url, close: () => stop(child) });
    });
  });
}
