// What the gateway asks of policy on every call and list: the local engine alone (policy-engine.ts), or the team
// policy and the local one together (team-policy/layered-policy.ts). The router and session servers know only this.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { PolicyConfig } from '../config/policy-schema.ts';
import type { Admission, PolicyCall, PolicyRequest } from './policy-engine.ts';

export interface CallPolicy {
  /** Whether the client sees the tool in tools/list. */
  visible(client: string, server: string, tool: Tool): boolean;
  /** Decides one call; an admitted call's `release` is called once it has ended. */
  admit(call: PolicyCall): Promise<Admission>;
  /** Whether the client sees a prompt (by its server's name for it) or a resource in its lists. */
  visibleItem(client: string, server: string, kind: PolicyRequest['kind'], name: string): boolean;
  /** Decides a prompts/get, resources/read or completion/complete request, as `admit` does a call. */
  admitRequest(request: PolicyRequest): Promise<Admission>;
  /** config.json's `policy` changed. */
  setPolicy(policy: PolicyConfig): void;
  /** Tool, prompt and resource lists may differ after `changed`. */
  on(event: 'changed', listener: () => void): unknown;
  off(event: 'changed', listener: () => void): unknown;
}
