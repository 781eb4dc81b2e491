// Hands the team dashboard's stores to its pages, as stores-context.tsx does for the desktop's.
import { createContext, useContext, type ReactNode } from 'react';
import type { TeamStores } from '../stores/team-stores.ts';

const TeamStoresContext = createContext<TeamStores | null>(null);

export function TeamStoresProvider({ stores, children }: { stores: TeamStores; children: ReactNode }) {
  return <TeamStoresContext.Provider value={stores}>{children}</TeamStoresContext.Provider>;
}

export function useTeamStores(): TeamStores {
  const stores = useContext(TeamStoresContext);
  if (stores === null) throw new Error('useTeamStores outside TeamStoresProvider');
  return stores;
}
