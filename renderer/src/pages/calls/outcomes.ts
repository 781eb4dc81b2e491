// The outcomes an audit record can have (ARCHITECTURE.md, "Audit trail"), for the filter and the badges.
export const OUTCOMES = [
  'ok',
  'tool-error',
  'protocol-error',
  'timeout',
  'cancelled',
  'denied',
  'unavailable',
  'unknown-tool',
] as const;

export function outcomeClass(outcome: string): string {
  if (outcome === 'ok') return 'badge badge-ok';
  if (outcome === 'cancelled') return 'badge';
  return 'badge badge-error';
}
