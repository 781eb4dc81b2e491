// What the gateway asks of policy on every call and list: the local engine alone (policy-engine.ts), or the team
// policy and the local one together (team-policy/layered-policy.ts). The router and session servers know only this.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { PolicyConfig } from '../config/policy-schema.ts';
import type { Admission, PolicyCall } from './policy-engine.ts';

export interface CallPolicy {
  /** Whether the client sees the tool in tools/list. */
  visible(client: string, server: string, tool: Tool): boolean;
  /** Decides one call; an admitted call's `release` is called once it has ended. */
  admit(call: PolicyCall): Promise<Admission>;
  /** config.json's `policy` changed. */
  setPolicy(policy: PolicyConfig): void;
  /** Tools lists may differ after `changed`. */
  on(event: 'changed', listener: () => void): unknown;
  off(event: 'changed', listener: () => void): unknown;
}
