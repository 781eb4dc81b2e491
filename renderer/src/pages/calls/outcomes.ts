// The outcomes an audit record can have (the contract's list), for the filter and the badges.
import { AUDIT_OUTCOMES } from '../../../../preload/contract.ts';

export const OUTCOMES = AUDIT_OUTCOMES;

export function outcomeClass(outcome: string): string {
  if (outcome === 'ok') return 'badge badge-ok';
  if (outcome === 'cancelled') return 'badge';
  return 'badge badge-error';
}
