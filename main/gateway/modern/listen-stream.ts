// `subscriptions/listen`: the modern era's replacement for the GET stream (spec 2026-07-28, patterns/subscriptions).
// The response is an SSE stream that starts with notifications/subscriptions/acknowledged naming the subset of the
// filter the gateway honours, then carries only the change notifications the client opted into, each tagged with
// the listen request's id as its subscriptionId. The changes come from a session server of its own, the same one
// a legacy session has, so both eras hear of exactly the same changes.
import type { ServerResponse } from 'node:http';
import { SubscriptionsListenRequestParamsSchema } from '@modelcontextprotocol/core';
import {
  SERVER_INFO_META_KEY,
  SUBSCRIPTION_ID_META_KEY,
  type JSONRPCRequest,
  type SubscriptionFilter,
} from '@modelcontextprotocol/server';
import type { JSONRPCNotification } from '@modelcontextprotocol/sdk/types.js';
import { replyJson } from '../http/http-reply.ts';
import type { LegacyDispatch } from './legacy-dispatch.ts';

/** Comment frames keep idle proxies and clients from timing the stream out. */
export const LISTEN_KEEP_ALIVE_MS = 15_000;

export interface ListenOptions {
  /** Bytes the stream may hold unread before notifications to it are dropped (T16). */
  readonly maxBufferBytes: number;
  readonly keepAliveMs?: number;
  /** Called once when the stream has ended, however it ended. */
  readonly onEnd: () => void;
}

/** An open listen stream. */
export interface ListenStream {
  /** Ends the stream; a graceful end sends the listen request's result first. */
  end(graceful: boolean): void;
  /** Notifications dropped because the client was not reading. */
  readonly dropped: number;
}

/** Which filter field a change notification answers to. */
function acceptedBy(filter: SubscriptionFilter, notification: JSONRPCNotification): boolean {
  switch (notification.method) {
    case 'notifications/tools/list_changed':
      return filter.toolsListChanged === true;
    case 'notifications/prompts/list_changed':
      return filter.promptsListChanged === true;
    case 'notifications/resources/list_changed':
      return filter.resourcesListChanged === true;
    case 'notifications/resources/updated': {
      const uri = (notification.params as { uri?: unknown } | undefined)?.uri;
      return typeof uri === 'string' && (filter.resourceSubscriptions ?? []).includes(uri);
    }
    default:
      return false;
  }
}

/**
 * Serves one listen request on `res`, or answers it with an error and returns null. The stream owns `dispatch`
 * from here on and shuts it down when it ends.
 */
export async function openListen(
  res: ServerResponse,
  request: JSONRPCRequest,
  dispatch: LegacyDispatch,
  options: ListenOptions,
): Promise<ListenStream | null> {
  const parsed = SubscriptionsListenRequestParamsSchema.safeParse(request.params);
  if (!parsed.success) {
    await dispatch.shutdown();
    replyJson(res, 200, {
      jsonrpc: '2.0',
      id: request.id,
      error: {
        code: -32602,
        message: "Invalid params: 'notifications' is required and must be a valid SubscriptionFilter",
      },
    });
    options.onEnd();
    return null;
  }
  const honoured = await honouredSubset(parsed.data.notifications, dispatch);
  if (res.destroyed) {
    // The client left while its subscriptions were being set up.
    await dispatch.shutdown();
    options.onEnd();
    return null;
  }
  const subscriptionId = request.id;
  const serverInfo = dispatch.identity.serverInfo;
  let ended = false;
  let dropped = 0;

  const write = (message: unknown, essential: boolean): void => {
    if (ended || res.writableEnded || res.destroyed) return;
    if (!essential && res.writableLength > options.maxBufferBytes) {
      dropped += 1;
      return;
    }
    res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  };
  const tagged = (method: string, params: Record<string, unknown> = {}): unknown => ({
    jsonrpc: '2.0',
    method,
    params: {
      ...params,
      _meta: { ...(params._meta as Record<string, unknown> | undefined), [SUBSCRIPTION_ID_META_KEY]: subscriptionId },
    },
  });

  const keepAlive = setInterval(() => {
    if (!ended && !res.destroyed && res.writableLength <= options.maxBufferBytes) res.write(': keepalive\n\n');
  }, options.keepAliveMs ?? LISTEN_KEEP_ALIVE_MS);
  keepAlive.unref();

  const teardown = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(keepAlive);
    dispatch.onunrelated = undefined;
    void dispatch.shutdown();
    options.onEnd();
  };
  const end = (graceful: boolean): void => {
    if (ended) return;
    if (graceful) {
      write(
        {
          jsonrpc: '2.0',
          id: subscriptionId,
          result: {
            resultType: 'complete',
            _meta: { [SUBSCRIPTION_ID_META_KEY]: subscriptionId, [SERVER_INFO_META_KEY]: serverInfo },
          },
        },
        true,
      );
    }
    teardown();
    if (!res.writableEnded) res.end();
  };

  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.on('close', teardown);
  write(tagged('notifications/subscriptions/acknowledged', { notifications: honoured }), true);
  if (Object.keys(honoured).length === 0) {
    end(true);
  } else {
    dispatch.onunrelated = (notification) => {
      if (acceptedBy(honoured, notification)) {
        write(tagged(notification.method, notification.params as Record<string, unknown> | undefined), false);
      }
    };
  }
  return {
    end,
    get dropped() {
      return dropped;
    },
  };
}

/**
 * The part of the filter the session server can serve: list changes it announces (`listChanged`), and resource
 * subscriptions it accepts one by one (`resources.subscribe`, then `resources/subscribe` per URI).
 */
async function honouredSubset(requested: SubscriptionFilter, dispatch: LegacyDispatch): Promise<SubscriptionFilter> {
  const capabilities = dispatch.identity.capabilities;
  const honoured: SubscriptionFilter = {};
  if (requested.toolsListChanged === true && capabilities.tools?.listChanged === true) honoured.toolsListChanged = true;
  if (requested.promptsListChanged === true && capabilities.prompts?.listChanged === true) {
    honoured.promptsListChanged = true;
  }
  if (requested.resourcesListChanged === true && capabilities.resources?.listChanged === true) {
    honoured.resourcesListChanged = true;
  }
  const uris = requested.resourceSubscriptions ?? [];
  if (uris.length > 0 && capabilities.resources?.subscribe === true) {
    const accepted: string[] = [];
    const call = { signal: new AbortController().signal, notify: async () => {} };
    for (const uri of uris) {
      await dispatch.request('resources/subscribe', { uri }, call).then(
        () => accepted.push(uri),
        () => {},
      );
    }
    if (accepted.length > 0) honoured.resourceSubscriptions = accepted;
  }
  return honoured;
}
