// The team dashboard's frame, drawn instead of the desktop's when a team server served the page: its own pages
// (the team's audit history, activity, policy) under the same look, reading the team server's calls.
import { TeamActivityPage } from '../pages/team/team-activity-page.tsx';
import { TeamAuditPage } from '../pages/team/team-audit-page.tsx';
import { TeamPolicyPage } from '../pages/team/team-policy-page.tsx';
import { AppFrame } from '../ui/app-frame.tsx';
import { useHashRoute } from './routes.ts';

export const TEAM_ROUTES = [
  { path: 'audit', label: 'Audit' },
  { path: 'activity', label: 'Activity' },
  { path: 'policy', label: 'Policy' },
] as const;

type TeamRoute = (typeof TEAM_ROUTES)[number]['path'];

function TeamPage({ route }: { route: TeamRoute }) {
  switch (route) {
    case 'audit':
      return <TeamAuditPage />;
    case 'activity':
      return <TeamActivityPage />;
    case 'policy':
      return <TeamPolicyPage />;
  }
}

export function TeamApp() {
  const route = useHashRoute(TEAM_ROUTES, 'audit');
  return (
    <AppFrame title="Switchboard team" navLabel="Team dashboard" routes={TEAM_ROUTES} route={route}>
      <TeamPage route={route} />
    </AppFrame>
  );
}
