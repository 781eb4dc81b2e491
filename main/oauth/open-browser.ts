// Opening an authorization page in the user's browser, after the URL has been vetted, without a shell: the URL is
// one argument to one program, so `$(...)` or `&` in it are just characters.
import { execFile } from 'node:child_process';
import { authorizationUrlRefusal } from './endpoint-policy.ts';

/** The program and arguments that open a URL on each platform. */
export function openerFor(url: string, platform: NodeJS.Platform): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // rundll32 hands the URL to the default handler without passing it through cmd.exe's parser.
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  return { command: 'xdg-open', args: [url] };
}

export type Opener = (command: string, args: string[]) => Promise<boolean>;

const systemOpener: Opener = (command, args) =>
  new Promise((resolve) => {
    const child = execFile(command, args, { timeout: 10_000 }, (error) => resolve(error === null));
    child.on('error', () => resolve(false));
  });

/** Opens `url` when it passes the vetting; resolves whether a browser was started, or throws naming the refusal. */
export async function openAuthorizationPage(
  url: string,
  platform: NodeJS.Platform = process.platform,
  opener: Opener = systemOpener,
): Promise<boolean> {
  const refused = authorizationUrlRefusal(url);
  if (refused !== null) throw new Error(refused);
  const { command, args } = openerFor(url, platform);
  return opener(command, args);
}
