// The built dashboard (renderer/dist, made by `npm run build:renderer`) as `serve` hands it to a browser. The
// files are listed once at start and served from that list only, so no request path can reach another file.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface RendererFile {
  readonly body: Buffer;
  readonly type: string;
  /** Vite names assets by content hash, so they may be cached for good; index.html never. */
  readonly immutable: boolean;
}

/**
 * The built renderer's folder, at the project's root: two levels up from this file in a checkout (run from the
 * sources), three from its compiled copy in dist/main/dashboard/ (an installed package, the desktop app, the
 * container image). The first that holds an index.html wins; else the checkout's, whose absence the door explains.
 */
export function rendererDistDir(): string {
  const candidates = ['../../renderer/dist', '../../../renderer/dist'].map((path) =>
    fileURLToPath(new URL(path, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

export class RendererFiles {
  readonly #files = new Map<string, RendererFile>();

  /** Reads `dir`; a missing folder leaves the list empty and the door explains how to build it. */
  constructor(dir: string = rendererDistDir()) {
    let names: string[];
    try {
      names = readdirSync(dir, { recursive: true, encoding: 'utf8' });
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (!statSync(path).isFile()) continue;
      const type = TYPES[extname(name)];
      if (type === undefined) continue;
      const url = '/' + relative(dir, path).split(sep).join('/');
      this.#files.set(url, { body: readFileSync(path), type, immutable: url.startsWith('/assets/') });
    }
  }

  get built(): boolean {
    return this.#files.has('/index.html');
  }

  get(path: string): RendererFile | undefined {
    return this.#files.get(path === '/' ? '/index.html' : path);
  }

  has(path: string): boolean {
    return this.#files.has(path);
  }
}
