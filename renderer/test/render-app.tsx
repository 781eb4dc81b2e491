// Renders the dashboard (or one page) against a FakeCore, with fresh stores wired to its events.
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { onTestFinished } from 'vitest';
import { App } from '../src/app/app.tsx';
import { StoresProvider } from '../src/app/stores-context.tsx';
import { connectStores, createStores, type Stores } from '../src/stores/stores.ts';
import type { FakeCore } from './fake-control-api.ts';

export function renderWith(core: FakeCore, element: ReactElement = <App />): RenderResult & { stores: Stores } {
  const client = core.client();
  const stores = createStores(client);
  const disconnect = connectStores(client, stores);
  onTestFinished(disconnect);
  return { ...render(<StoresProvider stores={stores}>{element}</StoresProvider>), stores };
}
