// The dashboard's entry: picks the transport, makes the stores, routes the core's events to them and renders.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { pickClient } from './api/pick-client.ts';
import { App } from './app/app.tsx';
import { StoresProvider } from './app/stores-context.tsx';
import { connectStores, createStores } from './stores/stores.ts';
import './styles.css';

const client = pickClient(window);
const stores = createStores(client);
connectStores(client, stores);

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <StoresProvider stores={stores}>
      <App />
    </StoresProvider>
  </StrictMode>,
);
