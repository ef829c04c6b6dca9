import { useMemo } from 'react';
import { ChartBox, countBy, monthCounts, perDay } from '../charts';
import { Link } from '../router';
import { isCoordinator, useSession } from '../session';
import type { Advisory, AdvisoryStatistics, CaseSummary, Page, Report } from '../types';
import { Async, PageTitle, Severity, TlpBadge, useApi, When } from '../ui';

const WEEK = 7 * 86_400_000;

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function CoordinatorDashboard() {
  const since = useMemo(() => new Date(Date.now() - 14 * 86_400_000).toISOString(), []);
  const reports = useApi<Page<Report>>(`/api/v1/reports?limit=500&since=${encodeURIComponent(since)}`);
  const waiting = useApi<{ total: number }>('/api/v1/reports?sort=triage&limit=1');
  const cases = useApi<Page<CaseSummary>>('/api/v1/cases');
  const advisories = useApi<Page<Advisory>>('/api/v1/advisories?limit=500');
  const stats = useApi<AdvisoryStatistics>('/api/v1/advisories/statistics?months=12');
  return (
    <>
      <div className="cards">
        <Async state={waiting} what="Counting the inbox">
          {(w) => (
            <div className="card">
              <p className="big">{w.total}</p>
              <p>
                reports waiting in the <Link to="/inbox">triage inbox</Link>
              </p>
            </div>
          )}
        </Async>
        <Async state={cases} what="Loading cases">
          {(c) => {
            const now = Date.now();
            const ending = c.items.filter((k) => {
              const end = k.embargo?.endsAt ?? k.embargo?.proposal?.endsAt;
              return end && Date.parse(end) > now && Date.parse(end) - now < WEEK;
            });
            return (
              <div className="card">
                <p className="big">{ending.length}</p>
                <p>embargoes ending within 7 days</p>
                <ul className="plain small">
                  {ending.map((k) => (
                    <li key={k.id}>
                      <Link to={`/cases/${k.id}`}>{k.title}</Link>:{' '}
                      <When at={k.embargo?.endsAt ?? k.embargo?.proposal?.endsAt} withZone />
                    </li>
                  ))}
                </ul>
              </div>
            );
          }}
        </Async>
        <Async state={advisories} what="Loading advisories">
          {(a) => {
            const openedAt = new Map((cases.data?.items ?? []).map((c) => [c.id, c.createdAt]));
            const days = a.items
              .filter((x) => x.caseId && openedAt.has(x.caseId))
              .map((x) => (Date.parse(x.published) - Date.parse(openedAt.get(x.caseId!)!)) / 86_400_000);
            const m = median(days);
            return (
              <div className="card">
                <p className="big">{m === null ? '—' : `${m.toFixed(1)} d`}</p>
                <p>median time from case opened to advisory ({days.length} advisories)</p>
              </div>
            );
          }}
        </Async>
      </div>
      <div className="charts">
        <Async state={reports} what="Loading intake">
          {(r) => (
            <ChartBox
              title="Reports received per day (last 14 days, UTC)"
              data={perDay(
                r.items.map((x) => x.createdAt),
                14,
              )}
            />
          )}
        </Async>
        <Async state={cases} what="Loading cases">
          {(c) => <ChartBox title="Cases by report-management state" data={countBy(c.items, (k) => k.rmState)} />}
        </Async>
        <Async state={stats} what="Counting advisories">
          {(st) => (
            <>
              <ChartBox title="Advisories published per month (last 12 months)" data={monthCounts(st.byMonth, 12)} />
              <ChartBox
                title={`Advisories by MITRE ATLAS tactic (ATLAS ${st.atlasVersion}; ${st.withoutTactic} without ATLAS ids)`}
                data={{
                  labels: st.byTactic.map((x) => `${x.name} (${x.tactic})`),
                  values: st.byTactic.map((x) => x.count),
                }}
              />
            </>
          )}
        </Async>
      </div>
    </>
  );
}

interface FindingRow {
  id: string;
  priority: string;
  dueDate: string | null;
  kev: boolean;
  status: string;
  firstSeen: string;
  resolvedAt: string | null;
  asset: { name: string };
  component: { name: string; version: string | null };
  advisories: { id: string; summary: string }[];
}

/** Open findings on each of the last `days` days (opened on or before the day, not resolved by its start). */
function openOverTime(items: FindingRow[], days: number, now = new Date()) {
  const labels: string[] = [];
  const values: number[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10);
    labels.push(day);
    values.push(
      items.filter((f) => f.firstSeen.slice(0, 10) <= day && (!f.resolvedAt || f.resolvedAt.slice(0, 10) > day)).length,
    );
  }
  return { labels, values };
}

/** Operators: what hits us now, by priority with due dates, and open findings over time. */
function Exposure() {
  const open = useApi<Page<FindingRow>>('/api/v1/findings?status=open&limit=10');
  const all = useApi<Page<FindingRow>>('/api/v1/findings?status=all&limit=500');
  if (open.error?.status === 404) return null;
  return (
    <section aria-labelledby="exposure">
      <h2 id="exposure">What hits us now</h2>
      <Async state={open} what="Loading findings">
        {(d) =>
          d.items.length === 0 ? (
            <p>
              No open findings. Upload an SBOM on the <Link to="/inventory">inventory</Link> page.
            </p>
          ) : (
            <table className="data">
              <caption className="sr-only">Open findings by priority and due date</caption>
              <thead>
                <tr>
                  <th scope="col">Priority</th>
                  <th scope="col">Due</th>
                  <th scope="col">Asset and component</th>
                  <th scope="col">Advisory</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((f) => (
                  <tr key={f.id}>
                    <td>
                      <strong>{f.priority}</strong>
                      {f.kev ? ' · KEV' : ''}
                    </td>
                    <td>{f.dueDate ?? '—'}</td>
                    <td>
                      {f.asset.name}: {f.component.name} {f.component.version}
                    </td>
                    <td>
                      {f.advisories[0] && (
                        <Link to={`/advisories/${encodeURIComponent(f.advisories[0].id)}`}>{f.advisories[0].id}</Link>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
      <div className="charts">
        <Async state={all} what="Loading findings history">
          {(d) => (
            <ChartBox kind="line" title="Open findings per day (last 30 days)" data={openOverTime(d.items, 30)} />
          )}
        </Async>
      </div>
    </section>
  );
}

function MemberDashboard() {
  const { me } = useSession();
  const reports = useApi<Page<Report>>('/api/v1/reports?limit=200');
  const cases = useApi<Page<CaseSummary>>('/api/v1/cases');
  const urgent = useApi<Page<Advisory>>('/api/v1/advisories?limit=10&severity=CRITICAL');
  const mine = (reports.data?.items ?? []).filter((r) => r.submitterOrgId === me?.orgId);
  return (
    <>
      {me?.orgKind === 'infrastructure_operator' && <Exposure />}
      <div className="charts">
        <Async state={reports} what="Loading reports">
          {() => <ChartBox title="Our reports by validation state" data={countBy(mine, (r) => r.validationState)} />}
        </Async>
      </div>
      <section aria-labelledby="hits">
        <h2 id="hits">Recent critical advisories</h2>
        <Async state={urgent} what="Loading advisories">
          {(a) =>
            a.items.length === 0 ? (
              <p>No critical advisories.</p>
            ) : (
              <ul>
                {a.items.map((x) => (
                  <li key={x.id}>
                    <Link to={`/advisories/${encodeURIComponent(x.id)}`}>{x.id}</Link> <Severity value="CRITICAL" />{' '}
                    <TlpBadge tlp={x.marking.tlp} /> {x.summary}
                  </li>
                ))}
              </ul>
            )
          }
        </Async>
        <p>
          Inventories and findings (SBOM upload, priorities and due dates) are on the{' '}
          <Link to="/inventory">inventory</Link> page when this server offers them.
        </p>
      </section>
      <section aria-labelledby="mycases">
        <h2 id="mycases">Our cases</h2>
        <Async state={cases} what="Loading cases">
          {(c) =>
            c.items.length === 0 ? (
              <p>No cases.</p>
            ) : (
              <ul>
                {c.items.map((k) => (
                  <li key={k.id}>
                    <Link to={`/cases/${k.id}`}>{k.title}</Link> — {k.rmState}
                    {k.embargo?.endsAt && (
                      <>
                        , embargo ends <When at={k.embargo.endsAt} withZone />
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )
          }
        </Async>
      </section>
    </>
  );
}

export function DashboardPage() {
  const { me } = useSession();
  if (!me) return null;
  return (
    <>
      <PageTitle>Dashboard</PageTitle>
      <p>
        {me.organisation.name} ({me.orgKind.replace(/_/g, ' ')}), signed in as {me.role}.
      </p>
      {isCoordinator(me) ? <CoordinatorDashboard /> : <MemberDashboard />}
    </>
  );
}
