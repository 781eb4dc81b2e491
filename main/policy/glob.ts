// Globs for client, server and tool names in policy rules: `*` is any run of characters, `?` one, the rest is
// literal (no character classes or braces, so a name with brackets or dots means exactly itself).

export type NameMatcher = (name: string) => boolean;

/** A matcher for a list of globs: true when any matches; a missing list matches every name. */
export function globMatcher(globs: readonly string[] | undefined): NameMatcher {
  if (globs === undefined) return () => true;
  const exact = new Set(globs.filter((g) => !/[*?]/.test(g)));
  const patterns = globs.filter((g) => /[*?]/.test(g)).map(globToRegExp);
  return (name) => exact.has(name) || patterns.some((p) => p.test(name));
}

export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const ch of glob) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    // Only regex syntax characters are escaped: under the `u` flag an escaped `-` (or any other identity escape)
    // outside a class is itself a syntax error, and names such as `my-server*` are common.
    else source += ch.replace(/[\\^$.|+()[\]{}/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}
