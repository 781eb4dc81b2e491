// Icons in server metadata (tools, prompts, resources, resource templates, resource links in results) are URLs a
// client may fetch or render, chosen by the server: `javascript:`, `file:`, `ftp:`, `ws:` or an app's own scheme
// could run script, read local files or reach into other apps. Only `https:` URLs and `data:` images are passed on;
// any other icon is dropped before a client sees it (security test T65). The rest of the item is untouched.

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether an icon's `src` may be passed on: an absolute https URL, or a data URL of an image type. */
export function isSafeIconSrc(src: unknown): boolean {
  if (typeof src !== 'string') return false;
  let url: URL;
  try {
    // No base: a relative URL would resolve against whatever page shows it, so it is not an icon we can vouch for.
    url = new URL(src);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'data:' && /^image\/[a-z0-9.+-]+[;,]/i.test(url.pathname);
}

/** The item with only safe icons: `icons` keeps the entries whose `src` is safe, and goes when none is left. */
export function withSafeIcons<T>(item: T): T {
  if (!isObject(item) || !('icons' in item)) return item;
  const { icons, ...rest } = item;
  const kept = Array.isArray(icons) ? icons.filter((icon) => isObject(icon) && isSafeIconSrc(icon.src)) : [];
  if (Array.isArray(icons) && kept.length === icons.length) return item;
  return (kept.length === 0 ? rest : { ...rest, icons: kept }) as T;
}
