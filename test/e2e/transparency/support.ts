// Shared by the transparency tests: a core running server-everything next to the twin fixture (whose resource
// URIs, template and prompt names collide with everything's), and a client wrapper that collects what reaches one
// session: log messages, resource updates, list_changed notifications and progress.
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  LoggingMessageNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import type { ConfigInput } from '../../../main/config/schema.ts';
import {
  NODE,
  REPO,
  binOf,
  isRunning,
  startHarness,
  type Harness,
  type StdioServerInput,
} from '../../helpers/gateway-harness.ts';
import { waitUntil } from '../gateway/support.ts';

export const TWIN = join(REPO, 'test/fixtures/transparency-server.ts');
/** Listed by both servers: exposed namespaced on /mcp. */
export const SHARED_URI = 'demo://resource/static/document/features.md';
/** A template both servers offer. */
export const SHARED_TEMPLATE = 'demo://resource/dynamic/text/{resourceId}';

export function twinServer(extra: Partial<StdioServerInput> = {}): StdioServerInput {
  return { command: NODE, args: [TWIN], ...extra };
}

export function everythingServer(extra: Partial<StdioServerInput> = {}): StdioServerInput {
  return {
    command: NODE,
    args: [binOf('@modelcontextprotocol/server-everything', 'dist/index.js'), 'stdio'],
    ...extra,
  };
}

/** A core with `everything` and `twin` (plus `servers`), every server running. */
export async function startTransparency(config: ConfigInput = {}): Promise<Harness> {
  const h = await startHarness({
    ...config,
    servers: { everything: everythingServer(), twin: twinServer(), ...config.servers },
  });
  await Promise.all(h.core.supervisor.list().map((s) => h.waitForState(s.name, isRunning)));
  return h;
}

/** The server's stderr lines (the twin records subscriptions, levels and cancellations there). */
export function stderrOf(h: Harness, server: string): string[] {
  return h.core.supervisor.get(server)!.stderrTail(2_000);
}

/** One session and everything that reached it. */
export class Session {
  readonly client: Client;
  readonly logs: LoggingMessageNotification['params'][] = [];
  readonly updates: string[] = [];
  readonly changed = { tools: 0, prompts: 0, resources: 0 };

  constructor(client: Client) {
    this.client = client;
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void this.logs.push(n.params));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void this.updates.push(n.params.uri));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void (this.changed.tools += 1));
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => void (this.changed.prompts += 1));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void (this.changed.resources += 1));
  }

  /** A session on `/mcp` (or `/mcp/twin`), once its GET stream is open. */
  static async open(h: Harness, options: { path?: '/mcp' | '/mcp/twin'; name?: string } = {}): Promise<Session> {
    const session = new Session(await h.connect(options));
    await session.streamReady();
    return session;
  }

  /** Log messages whose data contains `text`. */
  logged(text: string): LoggingMessageNotification['params'][] {
    return this.logs.filter((l) => String(l.data).includes(text));
  }

  /**
   * The GET stream that carries notifications opens after initialize; until it is open they have nowhere to go.
   * Touching a private URI until its update arrives proves it is open (only this session subscribes to it).
   */
  async streamReady(): Promise<void> {
    const uri = `twin://items/probe-${Math.random().toString(36).slice(2)}`;
    const touch = this.client.getServerVersion()?.name === 'switchboard' ? 'twin__touch' : 'touch';
    await this.client.subscribeResource({ uri });
    await waitUntil(
      async () => {
        await this.client.callTool({ name: touch, arguments: { uri } });
        await new Promise((resolve) => setTimeout(resolve, 50));
        return this.updates.includes(uri);
      },
      'the session’s GET stream',
      15_000,
    );
    await this.client.unsubscribeResource({ uri });
    this.updates.splice(0);
  }
}
