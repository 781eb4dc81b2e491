// A history's filters as the query a call takes: text fields trimmed and left out when empty, the time range as
// `since` (minutes back from now), one page's size. The desktop's Calls and the team's Audit read alike.

export function historyQuery<K extends string>(
  filters: Readonly<Record<K, string>> & { readonly minutes: number },
  keys: readonly K[],
  now: number,
  limit: number,
): Record<string, string | number> {
  const query: Record<string, string | number> = { limit };
  for (const key of keys) {
    const value = filters[key].trim();
    if (value !== '') query[key] = value;
  }
  if (filters.minutes > 0) query['since'] = now - filters.minutes * 60_000;
  return query;
}
