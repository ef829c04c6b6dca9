import { Component, type ReactNode } from 'react';
/** Layout (skip link, header, navigation by role) and the client routes. */
import { AdvisoriesPage, AdvisoryPage } from './pages/advisories';
import { AuditPage } from './pages/audit';
import { CasePage, CasesPage } from './pages/cases';
import { DashboardPage } from './pages/dashboard';
import { EnforcementPage } from './pages/enforcement';
import { InboxPage } from './pages/inbox';
import { InventoryPage } from './pages/inventory';
import { OrganisationPage } from './pages/organisation';
import { NewReportPage, ReportPage, ReportsPage } from './pages/reports';
import { ReviewPage, ReviewsPage } from './pages/reviews';
import { InvitePage, SignInPage } from './pages/sign-in';
import { ClusterPage, ClustersPage } from './pages/triage';
import { Link, navigate, useLocation } from './router';
import { isCoordinator, useSession } from './session';
import { ErrorBox, Loading, PageTitle } from './ui';

function NavLink({ to, children }: { to: string; children: string }) {
  const { path } = useLocation();
  const active = to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`);
  return (
    <li>
      <Link to={to} aria-current={active ? 'page' : undefined}>
        {children}
      </Link>
    </li>
  );
}

function Header() {
  const { me, signOut } = useSession();
  return (
    <header className="site">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <div className="brand">
        <Link to="/">Clearinghouse</Link>
      </div>
      <nav aria-label="Main">
        <ul>
          {me && <NavLink to="/">Dashboard</NavLink>}
          {me && <NavLink to="/reports">Reports</NavLink>}
          {isCoordinator(me) && <NavLink to="/inbox">Triage inbox</NavLink>}
          {isCoordinator(me) && <NavLink to="/triage/clusters">Clusters</NavLink>}
          {me && <NavLink to="/cases">Cases</NavLink>}
          <NavLink to="/advisories">Advisories</NavLink>
          {me && <NavLink to="/inventory">Inventory</NavLink>}
          {me && <NavLink to="/reviews">Reviews</NavLink>}
          {me && <NavLink to="/enforcement">Enforcement</NavLink>}
          {me && <NavLink to="/organisation">Organisation</NavLink>}
          {isCoordinator(me) && <NavLink to="/audit">Audit</NavLink>}
        </ul>
      </nav>
      <div className="who">
        {me ? (
          <>
            <span>
              {me.organisation.name} · {me.role}
            </span>
            <button
              type="button"
              onClick={() => {
                void signOut().then(() => navigate('/sign-in'));
              }}
            >
              Sign out
            </button>
          </>
        ) : (
          <Link to="/sign-in">Sign in</Link>
        )}
      </div>
    </header>
  );
}

function NotFound() {
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <p>
        There is no page here. Go to the <Link to="/advisories">advisories</Link>.
      </p>
    </>
  );
}

function Routes() {
  const { path } = useLocation();
  const { me, checking, error } = useSession();
  if (checking) return <Loading what="Checking your session" />;
  if (error) return <ErrorBox error={error} />;
  const param = (re: RegExp): string | null => {
    const found = path.match(re);
    return found?.[1] ? decodeURIComponent(found[1]) : null;
  };
  const advisoryId = param(/^\/advisories\/([^/]+)$/);
  const reportId = param(/^\/reports\/([^/]+)$/);
  const caseId = param(/^\/cases\/([^/]+)$/);
  const reviewId = param(/^\/reviews\/([^/]+)$/);
  const clusterId = param(/^\/triage\/clusters\/([^/]+)$/);
  if (path === '/sign-in') return <SignInPage />;
  if (path === '/invite') return <InvitePage />;
  if (path === '/advisories') return <AdvisoriesPage />;
  if (advisoryId) return <AdvisoryPage id={advisoryId} />;
  if (!me) {
    if (path === '/') return <AdvisoriesPage />;
    return <SignInPage next={path} />;
  }
  if (path === '/') return <DashboardPage />;
  if (path === '/reports') return <ReportsPage />;
  if (path === '/reports/new') return <NewReportPage />;
  if (reportId) return <ReportPage id={reportId} />;
  if (path === '/inbox') return <InboxPage />;
  if (path === '/triage/clusters') return <ClustersPage />;
  if (clusterId) return <ClusterPage id={clusterId} />;
  if (path === '/cases') return <CasesPage />;
  if (caseId) return <CasePage id={caseId} />;
  if (path === '/organisation') return <OrganisationPage />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/enforcement') return <EnforcementPage />;
  if (path === '/inventory') return <InventoryPage />;
  if (path === '/reviews') return <ReviewsPage />;
  if (reviewId) return <ReviewPage id={reviewId} />;
  return <NotFound />;
}

/** A page that throws shows an error instead of blanking the whole portal. */
class Boundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error)
      return (
        <>
          <PageTitle>This page failed</PageTitle>
          <ErrorBox error={this.state.error} />
        </>
      );
    return this.props.children;
  }
}

export function App() {
  const { path } = useLocation();
  return (
    <>
      <Header />
      <main id="main" key={path}>
        <Boundary>
          <Routes />
        </Boundary>
      </main>
      <footer className="site">
        <p>
          Markings follow TLP 2.0. API: <a href="/api/v1/docs">reference</a>.
        </p>
      </footer>
    </>
  );
}
