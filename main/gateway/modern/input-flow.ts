// One 2026-07-28 request whose upstream asked its client something (sampling, elicitation, roots) while serving it.
// A modern client cannot receive requests, so the upstream's requests are collected, shown to the client as the
// `inputRequests` of an `input_required` result, and kept waiting ("parked") together with the upstream request
// itself until the client retries with its `inputResponses`; the answers then go upstream as the results of those
// requests, and the retry waits for what comes next: the final result, or more requests (another round). The
// upstream speaks 2025-11-25 throughout and never learns that its client came back on another HTTP request.
//
// Requests the upstream sends together (several in one go) are gathered into one round: a round is answered once
// no new request has arrived for `gatherMs`. A request the client did not declare the capability for never reaches
// it: the upstream gets -32021 naming what is missing (the modern era's error for it), and may go on without.
//
// While the flow is parked the client has no request open, and 2026-07-28 has nowhere else for what the upstream
// reports on its call: progress and log messages are request-scoped, sent on the response stream of the request
// they concern and never on a listen stream (basic/patterns/progress, server/utilities/logging). So they are held
// and sent on the retry's stream, before anything else: the retry is the active request that continues the same
// operation, and it says for itself whether it wants them (its own progress token, its own `logLevel`). Progress
// is cumulative, so only the latest is kept; at most `MAX_HELD` others are, the rest counted as dropped.
import type { JSONRPCNotification, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ClientCapabilities, InputRequest, InputRequests } from '@modelcontextprotocol/server';
import { CallError } from '../aggregate/call-error.ts';
import { GatewayErrorCode } from '../http/http-reply.ts';
import {
  answerProblem,
  embeddedRequest,
  hintedKey,
  isInputMethod,
  kindOf,
  missingCapabilities,
  requiredCapabilities,
  type InputMethod,
} from './input-requests.ts';
import type { DispatchCall } from './legacy-dispatch.ts';

/** The modern era's error for a capability the client did not declare (spec 2026-07-28, basic/index). */
export const MISSING_CLIENT_CAPABILITY = -32021;

/** Notifications (other than the latest progress) a parked flow keeps for its retry. */
export const MAX_HELD = 64;

/** One HTTP request of the client serving this flow for now: the first one, or a retry. */
export interface InputExchange {
  /** Aborts when the client closes that request: the modern cancel, which cancels the whole flow upstream. */
  readonly signal: AbortSignal;
  /** What that request declared in `_meta`; each request speaks for itself. */
  readonly capabilities: ClientCapabilities | undefined;
  /** The answers it carries, and the keys the SDK dropped as not being bare results. */
  readonly inputResponses: Readonly<Record<string, unknown>> | undefined;
  readonly droppedKeys: readonly string[];
  /** Where notifications of the upstream request go while this request is being served. */
  notify(notification: JSONRPCNotification): Promise<void>;
}

export type FlowStep =
  | { readonly kind: 'complete'; readonly result: Record<string, unknown> }
  | { readonly kind: 'input'; readonly inputRequests: InputRequests };

export interface InputFlowOptions {
  /** How long the upstream may stay quiet before a round is answered with what it asked so far. */
  readonly gatherMs: number;
  /** Requests of the upstream that may wait for the client at once. */
  readonly maxAsks: number;
}

interface Ask {
  readonly key: string;
  readonly method: InputMethod;
  readonly params: Record<string, unknown> | undefined;
  readonly request: InputRequest;
  readonly answer: (result: Record<string, unknown>) => void;
  readonly refuse: (error: Error) => void;
}

type Outcome = { readonly ok: true; readonly result: Record<string, unknown> } | { readonly ok: false; error: unknown };

export class InputFlow {
  readonly #options: InputFlowOptions;
  readonly #controller = new AbortController();
  /** The upstream's requests waiting for the client, by key, in the order they came. */
  readonly #asks = new Map<string, Ask>();
  /** Every key this flow has used: a key names one request, for good. */
  readonly #used = new Set<string>();
  #minted = 0;
  #outcome: Outcome | null = null;
  #exchange: InputExchange | null = null;
  #capabilities: ClientCapabilities | undefined;
  #gather: NodeJS.Timeout | null = null;
  /** Wakes the request being served when something happened (an ask, the outcome, the end of a gathering). */
  #changed: (() => void) | null = null;
  /** What the upstream reported on its request while no request of the client was being served, in order. */
  #held: JSONRPCNotification[] = [];
  #heldDropped = 0;

  constructor(options: InputFlowOptions) {
    this.#options = options;
  }

  /** Sends the upstream request through `send`, with this flow as its caller. */
  begin(send: (call: DispatchCall) => Promise<Record<string, unknown>>): void {
    const call: DispatchCall = {
      signal: this.#controller.signal,
      notify: (notification) => this.#exchange?.notify(notification) ?? this.#hold(notification),
      ask: (request, withdrawn) => this.#ask(request, withdrawn),
      serving: () => this.#exchange !== null,
    };
    send(call).then(
      (result) => this.#settle({ ok: true, result }),
      (error: unknown) => this.#settle({ ok: false, error }),
    );
  }

  /** Notifications that came while the flow was parked and were dropped past `MAX_HELD`. */
  get heldDropped(): number {
    return this.#heldDropped;
  }

  /** Over: the upstream request has answered, failed or been cancelled. */
  get ended(): boolean {
    return this.#outcome !== null || this.#controller.signal.aborted;
  }

  /** Cancels the upstream request (and with it what it asked), saying why. */
  cancel(reason: string): void {
    this.#controller.abort(reason);
    this.#refuseAll(reason);
  }

  /**
   * Serves one request of the client: takes the answers it carries, then waits for the upstream's next step. An
   * answer that is not a valid result for its request refuses the whole retry (-32602) and changes nothing, so the
   * client may send it again, corrected; answers missing are asked again in the next round.
   */
  async run(exchange: InputExchange): Promise<FlowStep> {
    const answers = this.#answersIn(exchange);
    this.#exchange = exchange;
    this.#capabilities = exchange.capabilities;
    // Sent in order, and before the answers can lead the upstream to anything newer (each notify is issued at once).
    if (this.#held.length > 0) {
      const held = this.#held;
      this.#held = [];
      await Promise.all(held.map((notification) => exchange.notify(notification).catch(() => {})));
    }
    for (const [ask, result] of answers) {
      this.#asks.delete(ask.key);
      ask.answer(result);
    }
    // Each request declares its own capabilities: what this one cannot answer is refused upstream, not shown.
    for (const ask of [...this.#asks.values()]) {
      const missing = missingCapabilities(requiredCapabilities(ask.method, ask.params), this.#capabilities);
      if (missing === null) continue;
      this.#asks.delete(ask.key);
      ask.refuse(missingCapability(ask.method, missing));
    }
    const onAbort = (): void => this.cancel('the client closed its request');
    exchange.signal.addEventListener('abort', onAbort, { once: true });
    if (exchange.signal.aborted) onAbort();
    // Requests still unanswered are asked again, with whatever the answers just given lead the upstream to ask.
    if (this.#asks.size > 0) this.#restartGathering();
    try {
      return await new Promise<FlowStep>((resolve, reject) => {
        const check = (): void => {
          const outcome = this.#outcome;
          if (outcome !== null) {
            if (outcome.ok) resolve({ kind: 'complete', result: outcome.result });
            else reject(outcome.error);
          } else if (this.#asks.size > 0 && this.#gather === null) {
            resolve({ kind: 'input', inputRequests: this.#inputRequests() });
          }
        };
        this.#changed = check;
        check();
      });
    } finally {
      this.#changed = null;
      this.#exchange = null;
      exchange.signal.removeEventListener('abort', onAbort);
    }
  }

  #answersIn(exchange: InputExchange): [Ask, Record<string, unknown>][] {
    const answers: [Ask, Record<string, unknown>][] = [];
    for (const ask of this.#asks.values()) {
      if (exchange.droppedKeys.includes(ask.key)) {
        throw new CallError(
          GatewayErrorCode.InvalidParams,
          `inputResponses["${ask.key}"] is not a bare ${ask.method} result (a {method, result} wrapper, or not an object)`,
        );
      }
      const value = exchange.inputResponses?.[ask.key];
      if (value === undefined) continue;
      const problem = answerProblem(ask.method, ask.params, value);
      if (problem !== null) {
        throw new CallError(GatewayErrorCode.InvalidParams, `inputResponses["${ask.key}"] is ${problem}`);
      }
      answers.push([ask, value as Record<string, unknown>]);
    }
    return answers;
  }

  #hold(notification: JSONRPCNotification): Promise<void> {
    if (this.ended) return Promise.resolve();
    const isProgress = (held: JSONRPCNotification): boolean => held.method === 'notifications/progress';
    if (isProgress(notification)) {
      this.#held = this.#held.filter((held) => !isProgress(held));
    } else if (this.#held.filter((held) => !isProgress(held)).length >= MAX_HELD) {
      this.#heldDropped += 1;
      return Promise.resolve();
    }
    this.#held.push(notification);
    return Promise.resolve();
  }

  #ask(request: JSONRPCRequest, withdrawn: AbortSignal): Promise<Record<string, unknown>> {
    const { method } = request;
    const params = request.params as Record<string, unknown> | undefined;
    if (this.ended) {
      return Promise.reject(new CallError(GatewayErrorCode.InternalError, `${method}: the request it was for is over`));
    }
    if (!isInputMethod(method)) {
      return Promise.reject(new CallError(GatewayErrorCode.MethodNotFound, `${method} cannot be asked of a client`));
    }
    const missing = missingCapabilities(requiredCapabilities(method, params), this.#capabilities);
    if (missing !== null) return Promise.reject(missingCapability(method, missing));
    if (this.#asks.size >= this.#options.maxAsks) {
      return Promise.reject(
        new CallError(
          GatewayErrorCode.Refused,
          `${method}: ${this.#options.maxAsks} requests are already waiting for the client's input`,
        ),
      );
    }
    const key = this.#keyFor(method, params);
    // The request being served may already carry the answer, under the key this request got (a client retrying
    // without requestState, as it may with a stateless server): taken when it is a valid answer, shown otherwise.
    const offered = this.#exchange?.droppedKeys.includes(key) ? undefined : this.#exchange?.inputResponses?.[key];
    if (offered !== undefined && answerProblem(method, params, offered) === null) {
      return Promise.resolve(offered as Record<string, unknown>);
    }
    return new Promise((resolve, reject) => {
      const ask: Ask = {
        key,
        method,
        params,
        request: embeddedRequest(method, params),
        answer: resolve,
        refuse: reject,
      };
      this.#asks.set(key, ask);
      withdrawn.addEventListener(
        'abort',
        () => {
          if (this.#asks.get(key) !== ask) return;
          this.#asks.delete(key);
          reject(new CallError(GatewayErrorCode.InternalError, `${method} was withdrawn by the server`));
          this.#changed?.();
        },
        { once: true },
      );
      this.#restartGathering();
    });
  }

  /** The upstream's own name for the request when it gave a usable one, else `<kind>-<n>`; never one used before. */
  #keyFor(method: InputMethod, params: Record<string, unknown> | undefined): string {
    let key = hintedKey(params);
    while (key === null || this.#used.has(key)) key = `${kindOf(method)}-${++this.#minted}`;
    this.#used.add(key);
    return key;
  }

  #inputRequests(): InputRequests {
    return Object.fromEntries([...this.#asks].map(([key, ask]) => [key, ask.request]));
  }

  #restartGathering(): void {
    if (this.#gather !== null) clearTimeout(this.#gather);
    this.#gather = setTimeout(() => {
      this.#gather = null;
      this.#changed?.();
    }, this.#options.gatherMs);
    this.#gather.unref();
  }

  #settle(outcome: Outcome): void {
    if (this.#outcome !== null) return;
    this.#outcome = outcome;
    if (this.#gather !== null) clearTimeout(this.#gather);
    this.#gather = null;
    // Whatever it still asked will never be needed.
    this.#refuseAll('the request it was for is over');
    this.#changed?.();
  }

  #refuseAll(reason: string): void {
    const asks = [...this.#asks.values()];
    this.#asks.clear();
    for (const ask of asks) ask.refuse(new CallError(GatewayErrorCode.InternalError, `${ask.method}: ${reason}`));
  }
}

/** What the upstream hears for a request the client did not declare the capability for. */
function missingCapability(method: InputMethod, missing: Record<string, Record<string, object>>): CallError {
  const names = Object.entries(missing)
    .map(([capability, members]) =>
      Object.keys(members).length === 0
        ? capability
        : Object.keys(members)
            .map((member) => `${capability}.${member}`)
            .join(', '),
    )
    .join(' and ');
  return new CallError(
    MISSING_CLIENT_CAPABILITY,
    `Client does not support ${names} (required for ${method}): the 2026-07-28 client did not declare it in its clientCapabilities`,
    { requiredCapabilities: missing },
  );
}
