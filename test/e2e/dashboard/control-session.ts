// The dashboard's side of a running `serve` for end-to-end tests: every control call made as the page makes it
// (POST, JSON input, the contract's header, the dashboard token as a bearer), with every answer's text kept so a
// test can check that no secret ever reached the dashboard.
import assert from 'node:assert/strict';
import {
  CSRF_HEADER,
  type Answer,
  type ControlInput,
  type ControlMethod,
  type ControlOutput,
} from '../../../preload/contract.ts';

export interface ControlSession {
  readonly base: string;
  readonly token: string;
  /** The text of every answer so far, in order. */
  readonly answers: string[];
  call<M extends ControlMethod>(method: M, input: ControlInput<M>): Promise<Answer<ControlOutput<M>>>;
  /** The call's value; fails the test with the refusal when there is none. */
  value<M extends ControlMethod>(method: M, input: ControlInput<M>): Promise<ControlOutput<M>>;
}

export function controlSession(dashboardLink: string): ControlSession {
  const link = new URL(dashboardLink);
  const base = link.origin;
  const token = link.searchParams.get('token')!;
  const answers: string[] = [];
  const call = async <M extends ControlMethod>(
    method: M,
    input: ControlInput<M>,
  ): Promise<Answer<ControlOutput<M>>> => {
    const response = await fetch(`${base}/api/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, [CSRF_HEADER]: '1', 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const text = await response.text();
    answers.push(text);
    return JSON.parse(text) as Answer<ControlOutput<M>>;
  };
  return {
    base,
    token,
    answers,
    call,
    value: async (method, input) => {
      const answer = await call(method, input);
      assert.ok(answer.ok, `${method}: expected an answer, got ${JSON.stringify(answer)}`);
      return answer.value;
    },
  };
}
