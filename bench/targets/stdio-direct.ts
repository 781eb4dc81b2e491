// (a) The floor: the SDK client spawning the echo server and talking to it over stdio, with nothing in between.
import { ECHO_SERVER } from '../paths.ts';
import { connectStdio } from './connection.ts';
import type { Target } from './target.ts';

export function stdioDirect(): Target {
  return {
    name: 'stdio-direct',
    tool: 'echo',
    pid: null,
    connect: () => connectStdio(process.execPath, [ECHO_SERVER]),
    stop: async () => {},
  };
}
