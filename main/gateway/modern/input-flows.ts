// The parked flows of one modern endpoint: 2026-07-28 requests answered `input_required` whose upstream request
// waits for the client's retry (input-flow.ts). A flow is found again by the `requestState` it was answered with
// (request-state.ts) and serves only the token and request it was minted for, one retry at a time, each state once.
// Waiting is bounded: a flow not retried within `waitMs` is cancelled upstream, and a client token holds at most
// `maxPerToken` flows (past that a new one is cancelled and refused, naming the limit). A revoked token's flows
// and, on shutdown, every flow are cancelled at once: nobody could retry them.
import { randomUUID } from 'node:crypto';
import type { InputRequests } from '@modelcontextprotocol/server';
import { CallError } from '../aggregate/call-error.ts';
import { GatewayErrorCode } from '../http/http-reply.ts';
import { InputFlow, type FlowStep, type InputExchange } from './input-flow.ts';
import type { DispatchCall } from './legacy-dispatch.ts';
import type { FlowState } from './request-state.ts';

/** How long the upstream may stay quiet before a round is answered with what it asked so far. */
export const INPUT_GATHER_MS = 10;
/** Requests of one upstream request that may wait for the client at once. */
export const MAX_ASKS_PER_FLOW = 16;

export interface InputFlowsOptions {
  /** `gateway.inputWaitMs`: how long a parked flow waits for its retry. */
  readonly waitMs: number;
  /** `gateway.maxWaitingInputs`: parked flows per client token. */
  readonly maxPerToken: number;
  readonly gatherMs?: number;
  readonly maxAsks?: number;
}

/** Whose request a flow serves: the client token, and the request's binding (request-state.ts). */
export interface FlowOwner {
  readonly tokenId: string;
  readonly binding: string;
}

export type FlowOutcome =
  | { readonly kind: 'complete'; readonly result: Record<string, unknown> }
  | { readonly kind: 'input'; readonly inputRequests: InputRequests; readonly state: FlowState };

interface Parked {
  readonly id: string;
  readonly flow: InputFlow;
  readonly owner: FlowOwner;
  /** The round its current state names; each retry that ends in another round moves it on. */
  round: number;
  /** A retry is being served: another one with the same state is refused. */
  busy: boolean;
  timer: NodeJS.Timeout | null;
  /** Lets go of the session server the flow runs on. */
  readonly release: () => void;
}

export class InputFlows {
  readonly #options: Required<InputFlowsOptions>;
  readonly #parked = new Map<string, Parked>();

  constructor(options: InputFlowsOptions) {
    this.#options = { gatherMs: INPUT_GATHER_MS, maxAsks: MAX_ASKS_PER_FLOW, ...options };
  }

  /** Flows waiting for a retry, or being retried. */
  get size(): number {
    return this.#parked.size;
  }

  /**
   * Serves a request's first round: sends it upstream through `send`, and answers with its result, or with the
   * requests the upstream made, parking the flow. `hold` keeps the session server it runs on while it is parked.
   */
  async start(
    owner: FlowOwner,
    send: (call: DispatchCall) => Promise<Record<string, unknown>>,
    exchange: InputExchange,
    hold: () => () => void,
  ): Promise<FlowOutcome> {
    const flow = new InputFlow({ gatherMs: this.#options.gatherMs, maxAsks: this.#options.maxAsks });
    // Served from the start: whatever the upstream asks, however soon, meets this request and its capabilities.
    const serving = flow.run(exchange);
    flow.begin(send);
    let step: FlowStep;
    try {
      step = await serving;
    } catch (error) {
      if (!flow.ended) flow.cancel('the request failed');
      throw error;
    }
    if (step.kind === 'complete') return step;
    const waiting = [...this.#parked.values()].filter((p) => p.owner.tokenId === owner.tokenId).length;
    if (waiting >= this.#options.maxPerToken) {
      flow.cancel('too many requests of this client are waiting for its input');
      throw new CallError(
        GatewayErrorCode.Refused,
        `This client already has ${waiting} requests waiting for its input (gateway.maxWaitingInputs); this one was cancelled upstream. Answer or abandon the others first.`,
        { limit: 'maxWaitingInputs', max: this.#options.maxPerToken },
      );
    }
    const parked: Parked = { id: randomUUID(), flow, owner, round: 0, busy: false, timer: null, release: hold() };
    this.#parked.set(parked.id, parked);
    return this.#park(parked, step.inputRequests);
  }

  /** Serves a retry: the flow its (verified) state names, if it is still waiting, for this owner, at this round. */
  async resume(state: FlowState, owner: FlowOwner, exchange: InputExchange): Promise<FlowOutcome> {
    const parked = this.#parked.get(state.flow);
    if (parked === undefined || parked.owner.tokenId !== owner.tokenId || parked.owner.binding !== owner.binding) {
      throw stale(
        `this requestState names no request waiting for input: it was answered, cancelled, or waited longer than gateway.inputWaitMs (${this.#options.waitMs} ms). Send the request again without requestState.`,
      );
    }
    if (parked.busy || parked.round !== state.round) {
      throw stale('this requestState was already used; retry with the one the latest answer carried');
    }
    parked.busy = true;
    if (parked.timer !== null) clearTimeout(parked.timer);
    parked.timer = null;
    let step: FlowStep;
    try {
      step = await parked.flow.run(exchange);
    } catch (error) {
      // A refused retry (an invalid answer) leaves the flow as it was; anything else ended it.
      if (parked.flow.ended) this.#end(parked);
      else this.#arm(parked);
      throw error;
    } finally {
      parked.busy = false;
    }
    if (step.kind === 'complete') {
      this.#end(parked);
      return step;
    }
    return this.#park(parked, step.inputRequests);
  }

  /** Cancels the flows of tokens that are no longer active. */
  dropTokens(isActive: (tokenId: string) => boolean): void {
    for (const parked of [...this.#parked.values()]) {
      if (!isActive(parked.owner.tokenId)) this.#cancel(parked, "the client's token was revoked or expired");
    }
  }

  /** Cancels every flow (shutdown): no retry could be served any more. */
  closeAll(): void {
    for (const parked of [...this.#parked.values()]) this.#cancel(parked, 'the gateway is shutting down');
  }

  #park(parked: Parked, inputRequests: InputRequests): FlowOutcome {
    parked.round += 1;
    this.#arm(parked);
    return { kind: 'input', inputRequests, state: { flow: parked.id, round: parked.round } };
  }

  #arm(parked: Parked): void {
    parked.timer = setTimeout(
      () => this.#cancel(parked, `the client did not retry within gateway.inputWaitMs (${this.#options.waitMs} ms)`),
      this.#options.waitMs,
    );
    parked.timer.unref();
  }

  #cancel(parked: Parked, reason: string): void {
    parked.flow.cancel(reason);
    this.#end(parked);
  }

  #end(parked: Parked): void {
    if (this.#parked.get(parked.id) !== parked) return;
    this.#parked.delete(parked.id);
    if (parked.timer !== null) clearTimeout(parked.timer);
    parked.timer = null;
    parked.release();
  }
}

/** The error for a state that verified but names nothing this gateway can continue (the SDK's code and reason). */
function stale(message: string): CallError {
  return new CallError(GatewayErrorCode.InvalidParams, `Invalid or expired requestState: ${message}`, {
    reason: 'invalid_request_state',
  });
}
