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

function routeOf(hash: string): RoutePath {
  const path = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return ROUTES.find((route) => route.path === path)?.path ?? 'servers';
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): RoutePath {
  return routeOf(useSyncExternalStore(subscribe, () => window.location.hash));
}
