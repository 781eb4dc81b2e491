// The IDE clients the tray offers to connect, read through the control API's `ideClients` and cached: detecting
// reads every client's config file, too slow to do each time the menu is rebuilt. Read at start, after anything
// that changes a client's file (a connect, disconnect or import, from the tray or the dashboard) and every few
// minutes, for edits made by hand or by the client itself.
import type { ControlApi, IdeClientView } from '../../preload/contract.ts';
import type { DetectedClient } from './tray-menu.ts';

/** Often enough to notice a client installed or an entry edited meanwhile, rarely enough to cost nothing. */
const REFRESH_MS = 5 * 60_000;

export interface IdeClientWatchOptions {
  readonly api: Pick<ControlApi, 'ideClients'>;
  /** Called after each read whose answer differs from the last. */
  readonly onChange: () => void;
  readonly onError: (message: string, error: unknown) => void;
  readonly refreshMs?: number;
}

/** The clients worth a menu entry: those installed here, whatever their connection. */
export function detectedClients(views: readonly IdeClientView[]): DetectedClient[] {
  const shown: DetectedClient[] = [];
  for (const view of views) {
    if (view.state !== 'not-installed') shown.push({ id: view.id, name: view.label, state: view.state });
  }
  return shown;
}

export class IdeClientWatch {
  readonly #o: IdeClientWatchOptions;
  #views: readonly IdeClientView[] = [];
  #reading: Promise<readonly IdeClientView[]> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: IdeClientWatchOptions) {
    this.#o = options;
  }

  /** What the last read found; empty before the first. */
  get views(): readonly IdeClientView[] {
    return this.#views;
  }

  list(): readonly DetectedClient[] {
    return detectedClients(this.#views);
  }

  /** The client's name for people, or its id when it was not among the clients read. */
  label(id: string): string {
    return this.#views.find((v) => v.id === id)?.label ?? id;
  }

  /** Reads the clients again (one read at a time: a call during a read shares it); keeps the last list on failure. */
  refresh(): Promise<readonly IdeClientView[]> {
    this.#reading ??= this.#read().finally(() => (this.#reading = null));
    return this.#reading;
  }

  /** The first read, then one every few minutes until closed. */
  start(): Promise<readonly IdeClientView[]> {
    this.#timer ??= setInterval(() => void this.refresh(), this.#o.refreshMs ?? REFRESH_MS);
    this.#timer.unref();
    return this.refresh();
  }

  close(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #read(): Promise<readonly IdeClientView[]> {
    try {
      const answer = await this.#o.api.ideClients({});
      if (!answer.ok) {
        this.#o.onError('could not read the IDE clients', answer.error);
        return this.#views;
      }
      const changed = JSON.stringify(answer.value.clients) !== JSON.stringify(this.#views);
      this.#views = answer.value.clients;
      if (changed) this.#o.onChange();
    } catch (error) {
      this.#o.onError('could not read the IDE clients', error);
    }
    return this.#views;
  }
}

/** The calls that rewrite a client's config file: after each, the cached list is stale. */
const CHANGES_CLIENTS = ['connectClient', 'disconnectClient', 'importApply'] as const;

/** The control API with a re-read of the clients after every call that may have changed one, whoever made it. */
export function refreshingClients(api: ControlApi, refresh: () => void): ControlApi {
  const wrapped: Record<string, unknown> = { ...api };
  for (const method of CHANGES_CLIENTS) {
    const call = api[method] as (input: unknown) => Promise<unknown>;
    wrapped[method] = async (input: unknown) => {
      try {
        return await call(input);
      } finally {
        refresh();
      }
    };
  }
  return wrapped as ControlApi;
}
