// Real SDK servers and clients joined in memory, behind a directory the test steers: the aggregate's catalogs,
// routers and hubs are tested against these instead of processes.
import { EventEmitter } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  LoggingMessageNotificationSchema,
  ReadResourceRequestSchema,
  ResourceUpdatedNotificationSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type LoggingLevel,
  type Prompt,
  type Resource,
  type ResourceTemplate,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { timeoutsSchema } from '../../../../main/config/schema.ts';
import type {
  Upstream,
  UpstreamDirectory,
  UpstreamEvents,
} from '../../../../main/gateway/aggregate/upstream-directory.ts';
import type { ServerState } from '../../../../main/supervisor/server-state.ts';

export const RUNNING: ServerState = { state: 'running', since: 0, pid: null };
export const BACKOFF: ServerState = {
  state: 'backoff',
  retryAt: Date.now() + 60_000,
  attempt: 2,
  lastExit: { code: 1, signal: null, stderrTail: [], at: 0, reason: 'exited with code 1' },
};

export interface FakeContent {
  resources?: Resource[];
  templates?: ResourceTemplate[];
  prompts?: Prompt[];
  capabilities?: ServerCapabilities;
}

/** An upstream MCP server whose lists the test controls, recording what the gateway asks of it. */
export class FakeUpstream {
  resources: Resource[];
  templates: ResourceTemplate[];
  prompts: Prompt[];
  readonly calls: string[] = [];
  readonly server: Server;
  readonly client: Client;

  private constructor(content: FakeContent) {
    this.resources = content.resources ?? [];
    this.templates = content.templates ?? [];
    this.prompts = content.prompts ?? [];
    const capabilities = content.capabilities ?? {
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      completions: {},
      logging: {},
    };
    this.server = new Server({ name: 'fake', version: '1' }, { capabilities });
    const s = this.server;
    if (capabilities.resources) {
      s.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: this.resources }));
      s.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: this.templates }));
      s.setRequestHandler(ReadResourceRequestSchema, (r) => ({ contents: [{ uri: r.params.uri, text: 'x' }] }));
      s.setRequestHandler(SubscribeRequestSchema, (r) => {
        this.calls.push(`subscribe ${r.params.uri}`);
        return {};
      });
      s.setRequestHandler(UnsubscribeRequestSchema, (r) => {
        this.calls.push(`unsubscribe ${r.params.uri}`);
        return {};
      });
    }
    if (capabilities.prompts) {
      s.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: this.prompts }));
      s.setRequestHandler(GetPromptRequestSchema, (r) => ({
        messages: [{ role: 'user', content: { type: 'text', text: r.params.name } }],
      }));
    }
    if (capabilities.completions) {
      s.setRequestHandler(CompleteRequestSchema, () => ({ completion: { values: ['a'] } }));
    }
    if (capabilities.logging) {
      s.setRequestHandler(SetLevelRequestSchema, (r) => {
        this.calls.push(`level ${r.params.level}`);
        return {};
      });
    }
    this.client = new Client({ name: 'aggregate-test', version: '1' });
  }

  static async start(content: FakeContent = {}): Promise<FakeUpstream> {
    const fake = new FakeUpstream(content);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await fake.server.connect(b);
    await fake.client.connect(a);
    return fake;
  }

  /** The levels the gateway set, in order. */
  get levels(): LoggingLevel[] {
    return this.calls.filter((c) => c.startsWith('level ')).map((c) => c.slice(6) as LoggingLevel);
  }

  count(call: string): number {
    return this.calls.filter((c) => c === call).length;
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.server.close();
  }
}

interface Entry {
  name: string;
  state: ServerState;
  fake: FakeUpstream | null;
  onDemand: { demand: () => Promise<void> } | null;
}

/** A directory whose servers, states and clients the test sets; it forwards the fakes' notifications as events. */
export class FakeDirectory extends EventEmitter<UpstreamEvents> implements UpstreamDirectory {
  readonly entries = new Map<string, Entry>();

  get(name: string): Upstream | undefined {
    const entry = this.entries.get(name);
    return entry ? this.#upstream(entry) : undefined;
  }

  list(): readonly Upstream[] {
    return [...this.entries.values()].map((e) => this.#upstream(e));
  }

  /** `onDemand`: the server is started on demand, and `demand` is what starting it does. */
  set(
    name: string,
    state: ServerState,
    fake: FakeUpstream | null = null,
    onDemand: { demand: () => Promise<void> } | null = null,
  ): void {
    this.entries.set(name, { name, state, fake, onDemand: onDemand ?? this.entries.get(name)?.onDemand ?? null });
    if (fake) {
      fake.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
        this.emit('resourceUpdated', name, n.params.uri);
      });
      fake.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        this.emit('logMessage', name, n.params);
      });
    }
    this.emit('state', name, state);
  }

  remove(name: string): void {
    this.entries.delete(name);
    this.emit('membership');
  }

  #upstream(e: Entry): Upstream {
    return {
      name: e.name,
      enabled: true,
      state: e.state,
      client: e.state.state === 'running' ? (e.fake?.client ?? null) : null,
      timeouts: timeoutsSchema.parse({ startupMs: 1_000, callMs: 1_000 }),
      unavailableMessage: () => `server "${e.name}" is ${e.state.state}`,
      ...(e.onDemand === null ? {} : { onDemand: true, demand: e.onDemand.demand }),
    };
  }
}

/** Runs `check` until it holds, for up to `ms`. */
export async function eventually(check: () => boolean, what: string, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
