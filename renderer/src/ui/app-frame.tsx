// The dashboard's frame: its title (and the link's state beside it), the navigation between its pages, and the
// page the address names inside an error boundary. The desktop's dashboard and the team's share it.
import type { ReactNode } from 'react';
import { ErrorBoundary } from './error-boundary.tsx';

export function AppFrame<P extends string>({
  title,
  status,
  navLabel,
  routes,
  route,
  children,
}: {
  title: string;
  status?: ReactNode;
  navLabel: string;
  routes: readonly { readonly path: P; readonly label: string }[];
  route: P;
  children: ReactNode;
}) {
  return (
    <div className="app">
      <header className="app-header">
        <h1>{title}</h1>
        {status}
      </header>
      <nav className="app-nav" aria-label={navLabel}>
        <ul>
          {routes.map(({ path, label }) => (
            <li key={path}>
              <a href={`#/${path}`} aria-current={route === path ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="app-main">
        <ErrorBoundary resetKey={route}>{children}</ErrorBoundary>
      </main>
    </div>
  );
}
