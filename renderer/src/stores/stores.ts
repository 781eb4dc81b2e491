// Every store of one dashboard, made for one client. Stores are made per app (not module singletons), so each
// test starts from fresh ones.
import type { StoreApi } from 'zustand';
import type { ClientsView, PolicyView, SettingsView } from '../../../preload/contract.ts';
import type { DashboardClient } from '../api/dashboard-client.ts';
import { createCallsStore, type CallsState } from './calls-store.ts';
import { createCatalogStore, type CatalogState } from './catalog-store.ts';
import { createConnectionStore, type ConnectionStoreState } from './connection-store.ts';
import { createIdeClientsStore, type IdeClientsState } from './ide-clients-store.ts';
import { createImportStore, type ImportState } from './import-store.ts';
import { createLogsStore, type LogsState } from './logs-store.ts';
import { createMetricsStore, type MetricsState } from './metrics-store.ts';
import { createQueryStore, type QueryState } from './query-store.ts';
import { createSecretsStore, type SecretsState } from './secrets-store.ts';
import { createServersStore, type ServersState } from './servers-store.ts';
import { createTryItStore, type TryItState } from './try-it-store.ts';

export interface Stores {
  readonly connection: StoreApi<ConnectionStoreState>;
  readonly servers: StoreApi<ServersState>;
  readonly logs: StoreApi<LogsState>;
  readonly catalog: StoreApi<CatalogState>;
  readonly tryIt: StoreApi<TryItState>;
  readonly calls: StoreApi<CallsState>;
  readonly metrics: StoreApi<MetricsState>;
  readonly secrets: StoreApi<SecretsState>;
  readonly clients: StoreApi<QueryState<ClientsView>>;
  readonly ideClients: StoreApi<IdeClientsState>;
  readonly imports: StoreApi<ImportState>;
  readonly policy: StoreApi<QueryState<PolicyView>>;
  readonly settings: StoreApi<QueryState<SettingsView>>;
}

export function createStores(client: DashboardClient): Stores {
  const { api } = client;
  return {
    connection: createConnectionStore(),
    servers: createServersStore(api),
    logs: createLogsStore(api),
    catalog: createCatalogStore(api),
    tryIt: createTryItStore(api),
    calls: createCallsStore(api),
    metrics: createMetricsStore(api),
    secrets: createSecretsStore(api),
    clients: createQueryStore(() => api.clients({})),
    ideClients: createIdeClientsStore(api),
    imports: createImportStore(api),
    policy: createQueryStore(() => api.policy({})),
    settings: createQueryStore(() => api.settings({})),
  };
}

/**
 * Routes the core's events to the stores, and re-reads what is shown each time the link is (again) live: events
 * sent while it was down are lost. Returns the unsubscribe.
 */
export function connectStores(client: DashboardClient, stores: Stores): () => void {
  const offEvents = client.onEvent((event) => {
    switch (event.type) {
      case 'server-state':
        stores.servers.getState().stateChanged(event.server, event.state);
        return;
      case 'log':
        stores.logs.getState().lineLogged(event.server, event.line);
        return;
      case 'catalog':
      case 'tool-definition-changed':
        stores.catalog.getState().catalogChanged();
        return;
      case 'audit':
        stores.calls.getState().recorded();
        return;
      case 'sign-in':
        stores.servers.getState().signInPage(event.server, event.url);
        return;
      case 'audit-upload':
        // The Settings page shows where the upload stands; it changed in a way worth a look.
        void stores.settings.getState().refresh();
        return;
      case 'team-policy':
        // A new team version, a refused document or a stale feed: the Policy page shows where it stands.
        void stores.policy.getState().refresh();
        return;
    }
  });
  const offConnection = client.onConnection((state) => {
    stores.connection.getState().changed(state);
    if (state === 'live') resync(stores);
  });
  return () => {
    offEvents();
    offConnection();
    stores.servers.getState().dispose();
    stores.catalog.getState().dispose();
    stores.calls.getState().dispose();
  };
}

function resync(stores: Stores): void {
  void stores.servers.getState().refresh();
  stores.catalog.getState().catalogChanged();
  if (stores.calls.getState().loaded) void stores.calls.getState().reload();
  const logs = stores.logs.getState();
  if (logs.server !== null) void logs.open(logs.server);
}
