// Hands the app's stores to components. Each component picks one value per selector (or uses useShallow), so
// it re-renders only when that value changes.
import { createContext, useContext, type ReactNode } from 'react';
import type { Stores } from '../stores/stores.ts';

const StoresContext = createContext<Stores | null>(null);

export function StoresProvider({ stores, children }: { stores: Stores; children: ReactNode }) {
  return <StoresContext.Provider value={stores}>{children}</StoresContext.Provider>;
}

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (stores === null) throw new Error('useStores outside StoresProvider');
  return stores;
}
