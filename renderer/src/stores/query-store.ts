// A store for one query the core answers whole (clients, settings): the last value, or why it could not be read.
import { createStore, type StoreApi } from 'zustand';
import type { Answer } from '../../../preload/contract.ts';

export interface QueryState<T> {
  readonly value: T | null;
  readonly error: string | null;
  readonly loading: boolean;
  refresh(): Promise<void>;
}

export function createQueryStore<T>(read: () => Promise<Answer<T>>): StoreApi<QueryState<T>> {
  return createStore<QueryState<T>>()((set) => ({
    value: null,
    error: null,
    loading: false,
    refresh: async () => {
      set({ loading: true });
      const answer = await read();
      if (answer.ok) set({ value: answer.value, error: null, loading: false });
      else set({ error: answer.error, loading: false });
    },
  }));
}
