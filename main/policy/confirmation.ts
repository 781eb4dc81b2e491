// Asking the calling client's user before a call runs (a `confirm` rule, or `policy.destructive: "confirm"`): an
// `elicitation/create` sent by the gateway itself to the client that made the call, before anything reaches the
// server, so no server can answer it for the user (T21). It shows the full arguments.

/** What the user answered; `unavailable` when the client could not be asked, with why. */
export type ConfirmAnswer =
  { readonly answer: 'accept' | 'decline' | 'cancel' } | { readonly answer: 'unavailable'; readonly reason: string };

/** Asks the calling client; null when it cannot be asked at all (it did not declare elicitation). */
export type Confirmer = ((request: ConfirmRequest) => Promise<ConfirmAnswer>) | null;

export interface ConfirmRequest {
  readonly message: string;
  readonly requestedSchema: { type: 'object'; properties: Record<string, never> };
  readonly timeoutMs: number;
}

/** `action` says what the client wants to do: `call fs__delete`, `get prompt fs__review`, `read file:///x`. */
export function confirmRequest(
  call: { client: string; server: string; action: string; args: unknown },
  rule: string,
  timeoutMs: number,
): ConfirmRequest {
  const args = call.args === undefined ? '(no arguments)' : JSON.stringify(call.args, null, 2);
  return {
    message:
      `Switchboard asks before doing this (${rule}).\n` +
      `Client "${call.client}" wants to ${call.action} on server "${call.server}" with:\n${args}\n` +
      'Accept to run it, decline to refuse it.',
    requestedSchema: { type: 'object', properties: {} },
    timeoutMs,
  };
}
