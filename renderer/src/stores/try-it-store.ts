// The Tools page's "Try it": the call under way and its answer, for the tool it was made with.
import { createStore, type StoreApi } from 'zustand';
import type { Answer, ControlApi, ToolResultView } from '../../../preload/contract.ts';

export interface TryItState {
  /** The tool the answer belongs to. */
  readonly tool: string | null;
  readonly running: boolean;
  readonly answer: Answer<ToolResultView> | null;
  /** The arguments sent, to show beside the answer. */
  readonly sent: Readonly<Record<string, unknown>> | null;
  call(tool: string, args: Readonly<Record<string, unknown>>): Promise<void>;
  clear(): void;
}

export function createTryItStore(api: ControlApi): StoreApi<TryItState> {
  let calls = 0;
  return createStore<TryItState>()((set) => ({
    tool: null,
    running: false,
    answer: null,
    sent: null,
    call: async (tool, args) => {
      const mine = ++calls;
      set({ tool, running: true, answer: null, sent: args });
      const answer = await api.callTool({ name: tool, arguments: args });
      if (mine === calls) set({ running: false, answer });
    },
    clear: () => {
      calls += 1;
      set({ tool: null, running: false, answer: null, sent: null });
    },
  }));
}
