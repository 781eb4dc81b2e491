// Whether the link to the core is up, as the client reports it.
import { createStore, type StoreApi } from 'zustand';
import type { ConnectionState } from '../api/dashboard-client.ts';

export interface ConnectionStoreState {
  readonly state: ConnectionState;
  changed(state: ConnectionState): void;
}

export function createConnectionStore(): StoreApi<ConnectionStoreState> {
  return createStore<ConnectionStoreState>()((set) => ({
    state: 'connecting',
    changed: (state) => set({ state }),
  }));
}
