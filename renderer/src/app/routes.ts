// Hash routes (#/servers ...): the page needs no server-side fallback, in the app's window or behind `serve`.
import { useSyncExternalStore } from 'react';

export const ROUTES = [
  { path: 'servers', label: 'Servers' },
  { path: 'tools', label: 'Tools' },
  { path: 'calls', label: 'Calls' },
  { path: 'metrics', label: 'Metrics' },
  { path: 'credentials', label: 'Credentials' },
  { path: 'clients', label: 'Clients' },
  { path: 'policy', label: 'Policy' },
  { path: 'settings', label: 'Settings' },
] as const;

export type RoutePath = (typeof ROUTES)[number]['path'];

function routeOf<P extends string>(hash: string, routes: readonly { readonly path: P }[], fallback: P): P {
  const path = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return routes.find((route) => route.path === path)?.path ?? fallback;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The page the address names, of `routes`; `fallback` for any other address. */
export function useHashRoute<P extends string>(routes: readonly { readonly path: P }[], fallback: P): P {
  return routeOf(
    useSyncExternalStore(subscribe, () => window.location.hash),
    routes,
    fallback,
  );
}

export function useRoute(): RoutePath {
  return useHashRoute(ROUTES, 'servers');
}
