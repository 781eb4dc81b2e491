// The dashboard's frame: the navigation, the link's state, and the page the address names. When the browser's
// session is gone nothing else works, so that screen replaces the pages.
import { lazy, Suspense } from 'react';
import { useStore } from 'zustand';
import { ClientsPage } from '../pages/clients/clients-page.tsx';
import { CredentialsPage } from '../pages/credentials/credentials-page.tsx';
import { CallsPage } from '../pages/calls/calls-page.tsx';
import { PolicyPage } from '../pages/policy/policy-page.tsx';
import { ServersPage } from '../pages/servers/servers-page.tsx';
import { SettingsPage } from '../pages/settings/settings-page.tsx';
import { ToolsPage } from '../pages/tools/tools-page.tsx';
import { AppFrame } from '../ui/app-frame.tsx';
import { ROUTES, useRoute, type RoutePath } from './routes.ts';
import { useStores } from './stores-context.tsx';

// The charts library is most of the bundle's weight: it loads when the Metrics page is first opened.
const MetricsPage = lazy(async () => ({ default: (await import('../pages/metrics/metrics-page.tsx')).MetricsPage }));

function Page({ route }: { route: RoutePath }) {
  switch (route) {
    case 'servers':
      return <ServersPage />;
    case 'tools':
      return <ToolsPage />;
    case 'calls':
      return <CallsPage />;
    case 'metrics':
      return (
        <Suspense fallback={<p className="page muted">Loading charts…</p>}>
          <MetricsPage />
        </Suspense>
      );
    case 'credentials':
      return <CredentialsPage />;
    case 'clients':
      return <ClientsPage />;
    case 'policy':
      return <PolicyPage />;
    case 'settings':
      return <SettingsPage />;
  }
}

export function App() {
  const stores = useStores();
  const connection = useStore(stores.connection, (s) => s.state);
  const route = useRoute();

  if (connection === 'session-lost') return <SessionLost />;
  return (
    <AppFrame
      title="Switchboard"
      status={
        <span className={`link-state link-${connection}`} role="status">
          {connection === 'live' ? 'Live' : 'Connecting to Switchboard…'}
        </span>
      }
      navLabel="Dashboard"
      routes={ROUTES}
      route={route}
    >
      <Page route={route} />
    </AppFrame>
  );
}

function SessionLost() {
  return (
    <main className="session-lost">
      <h1>Switchboard</h1>
      <section role="alert" aria-label="Session ended">
        <h2>This dashboard session has ended</h2>
        <p>
          The dashboard's sign-in lasts while <code>switchboard serve</code> runs and was not found (the gateway may
          have restarted). Open the <strong>Dashboard</strong> link that <code>switchboard serve</code> printed in its
          terminal; it starts a new session.
        </p>
      </section>
    </main>
  );
}
