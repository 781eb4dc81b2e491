// The dashboard's entry: a team server's page opens the team dashboard; otherwise it picks the transport, makes
// the stores, routes the core's events to them and renders the desktop's.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { pickClient } from './api/pick-client.ts';
import { isTeamPage, teamClient } from './api/team-client.ts';
import { App } from './app/app.tsx';
import { StoresProvider } from './app/stores-context.tsx';
import { TeamApp } from './app/team-app.tsx';
import { TeamStoresProvider } from './app/team-stores-context.tsx';
import { connectStores, createStores } from './stores/stores.ts';
import { createTeamStores } from './stores/team-stores.ts';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');

if (isTeamPage(document)) {
  const stores = createTeamStores(teamClient({ origin: window.location.origin }));
  createRoot(root).render(
    <StrictMode>
      <TeamStoresProvider stores={stores}>
        <TeamApp />
      </TeamStoresProvider>
    </StrictMode>,
  );
} else {
  const client = pickClient(window);
  const stores = createStores(client);
  connectStores(client, stores);
  createRoot(root).render(
    <StrictMode>
      <StoresProvider stores={stores}>
        <App />
      </StoresProvider>
    </StrictMode>,
  );
}
