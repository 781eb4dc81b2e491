// deploy/Dockerfile read as text: no Docker runs here, so what can be checked without building is checked: the Node 24
// base, a numeric non-root user in the image that runs, nothing fetched by URL, the CLI as entrypoint, both ports,
// and a build context that leaves dependencies, outputs and secrets of the checkout behind.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/helm.ts';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** The Dockerfile's instructions in order: comments dropped, continuation lines joined. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const space = line.search(/\s/);
      return { keyword: line.slice(0, space).toUpperCase(), args: line.slice(space + 1).trim() };
    });
}

/** Each stage's instructions, after the global ARGs that precede the first FROM. */
function stages(all: readonly Instruction[]): { globals: Instruction[]; stages: Instruction[][] } {
  const firstFrom = all.findIndex((i) => i.keyword === 'FROM');
  const result: Instruction[][] = [];
  for (const instruction of all.slice(firstFrom)) {
    if (instruction.keyword === 'FROM') result.push([]);
    result.at(-1)!.push(instruction);
  }
  return { globals: all.slice(0, firstFrom), stages: result };
}

/** A FROM image with `${ARG}` replaced by the ARG's default. */
function baseImage(from: Instruction, globals: readonly Instruction[]): string {
  const image = from.args.split(/\s+/)[0]!;
  return image.replace(/^\$\{?(\w+)\}?$/, (_, name: string) => {
    const arg = globals.find((g) => g.keyword === 'ARG' && g.args.startsWith(`${name}=`));
    assert.ok(arg, `ARG ${name} has a default`);
    return arg.args.slice(name.length + 1);
  });
}

const dockerfile = readFileSync(join(REPO_ROOT, 'deploy/Dockerfile'), 'utf8');
const parsed = stages(instructions(dockerfile));
const final = parsed.stages.at(-1)!;

describe('deploy/Dockerfile', () => {
  it('builds and runs on the official Node 24 image, pinned to a release', () => {
    assert.ok(parsed.stages.length >= 2, 'a build stage and a runtime stage');
    for (const stage of parsed.stages) {
      assert.match(baseImage(stage[0]!, parsed.globals), /^node:24\.\d+\.\d+-[a-z]+(-slim)?(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it('runs the final stage as a numeric, non-root user and group', () => {
    const users = final.filter((i) => i.keyword === 'USER');
    assert.equal(users.length, 1);
    const match = /^(\d+):(\d+)$/.exec(users[0]!.args);
    assert.ok(match, `USER ${users[0]!.args} is numeric uid:gid`);
    assert.ok(Number(match[1]) > 0 && Number(match[2]) > 0, 'neither is root');
  });

  it('fetches nothing by URL with ADD', () => {
    const adds = parsed.stages.flat().filter((i) => i.keyword === 'ADD');
    assert.deepEqual(
      adds.filter((i) => /(^|\s)(https?|git):\/\//.test(i.args) || /\sgit@/.test(i.args)),
      [],
    );
  });

  it('installs with npm ci, builds, and prunes to production dependencies', () => {
    const runs = parsed.stages[0]!.filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join('\n');
    assert.match(runs, /npm ci\b/);
    assert.match(runs, /npm run build\b/);
    assert.match(runs, /npm run build:renderer\b/);
    assert.match(runs, /npm prune --omit=dev\b/);
  });

  it('starts the CLI, sets the data directory, and exposes the gateway and team server ports', () => {
    const entrypoint = final.find((i) => i.keyword === 'ENTRYPOINT');
    assert.deepEqual(JSON.parse(entrypoint!.args), ['node', '/app/bin/switchboard.js']);
    assert.deepEqual(JSON.parse(final.find((i) => i.keyword === 'CMD')!.args), ['serve']);
    assert.match(
      final
        .filter((i) => i.keyword === 'ENV')
        .map((i) => i.args)
        .join(' '),
      /SWITCHBOARD_HOME=\/data\b/,
    );
    const ports = final.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    assert.deepEqual(ports.sort(), ['7345', '7420']);
  });

  it('keeps node_modules, build outputs, git and secrets out of the build context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const entry of ['**/node_modules', '**/dist', '.git', '.tools', '**/vault.enc', '**/tokens.json']) {
      assert.ok(ignored.includes(entry), `.dockerignore lists ${entry}`);
    }
  });
});
