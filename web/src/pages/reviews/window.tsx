/** One review window, as the signed-in member's part in it allows: developer, reviewer, coordinator or observer. */
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { OrgName, useOrgs } from '../../orgs';
import { Link } from '../../router';
import { useSession } from '../../session';
import { Async, ErrorSummary, PageTitle, useAction, useApi, When } from '../../ui';
import { Attachments, CoveredStatus, GatewayLog, PartnerDate, ReportPanel } from './developer';
import { FindingForm, FindingsTable } from './findings';
import { GrantForm, GrantsTable, GrantUsage, Keys, ProposeGrantForm } from './grants';
import { RunDetailView, RunsTable, StartRunForm } from './runs';
import { TermsSection } from './terms';
import { type Finding, type Grant, type ReviewWindow, type Run, unfinished } from './types';

/** How often the page asks again for runs and grant usage while a run is queued or running. */
const POLL_MS = 2000;

export function ReviewPage({ id }: { id: string }) {
  const base = `/api/v1/reviews/windows/${id}`;
  const { me } = useSession();
  const win = useApi<ReviewWindow>(base);
  const grants = useApi<{ items: Grant[] }>(`${base}/grants`);
  const runs = useApi<{ items: Run[] }>(`${base}/runs`);
  const findings = useApi<{ items: Finding[] }>(`${base}/findings`);
  const orgs = useOrgs();
  const [openRun, setOpenRun] = useState<string | null>(null);
  // Runs spend the grant's budget: its usage is asked again with the runs, and while runs go on.
  const refreshRuns = () => {
    runs.reload();
    grants.reload();
  };
  const running = unfinished(runs.data?.items ?? []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload functions are stable; only `running` matters.
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => {
      runs.reload();
      grants.reload();
    }, POLL_MS);
    return () => {
      clearInterval(t);
      // One more read after the last run ended, so the usage shown is the final one.
      grants.reload();
    };
  }, [running]);
  const reloadAll = () => {
    win.reload();
    grants.reload();
    runs.reload();
    findings.reload();
  };
  const act = useAction(async (path: string, body?: unknown) => {
    await api('POST', `${base}${path}`, body);
    reloadAll();
  });
  return (
    <Async state={win} what="Loading the review window" title="Review window" keep>
      {(w) => {
        const developer = w.myRole === 'developer';
        const ownGrants = (grants.data?.items ?? []).filter((g) => g.granteeOrgId === me?.orgId);
        const mine = ownGrants.filter((g) => g.status === 'active');
        const reviewer = mine.length > 0;
        const government = mine.some((g) => g.role === 'government_reviewer');
        // Members of the developer organisation (also as its liaison) read the log and add documents.
        const developerOrg = me?.orgId === w.developerOrgId;
        const seesLog = developerOrg || w.myRole === 'coordinator';
        return (
          <article>
            <p>
              <Link to="/reviews">← All review windows</Link>
            </p>
            <PageTitle>
              {w.modelName} ({w.snapshotId})
            </PageTitle>
            <p className="meta">
              State <strong>{w.state}</strong> · your role {w.myRole} · developer{' '}
              <OrgName id={w.developerOrgId} orgs={orgs} /> · trusted-partner date{' '}
              <When at={w.trustedPartnerDate} withZone />
              {w.closesAt && (
                <>
                  {' '}
                  · closes <When at={w.closesAt} withZone />
                </>
              )}{' '}
              · variants {w.variants.join(', ')}
            </p>
            {w.endpoint && (
              <p className="meta">
                Endpoint <code>{w.endpoint.baseUrl}</code> (
                {w.endpoint.models.map((m) => `${m.variant}: ${m.modelId}`).join(', ')}); secret{' '}
                {w.endpoint.secretStored ? 'stored (never shown)' : 'missing'} · budgets: {w.limits.requestsPerMinute}{' '}
                requests per minute, at most {w.limits.maxBudget.requests} requests and {w.limits.maxBudget.tokens}{' '}
                tokens per grant
              </p>
            )}
            <ErrorSummary error={act.error} />
            {developer && (
              <section aria-labelledby="dev-actions">
                <h2 id="dev-actions">Developer actions</h2>
                <p className="actions">
                  {w.state === 'draft' && (
                    <button type="button" onClick={() => void act.run('/offer')}>
                      Offer
                    </button>
                  )}
                  {w.state === 'offered' && (
                    <button type="button" onClick={() => void act.run('/open')}>
                      Open
                    </button>
                  )}
                  {w.state === 'open' && (
                    <button type="button" onClick={() => void act.run('/close')}>
                      Close now
                    </button>
                  )}
                  {!w.withdrawnAt && w.state !== 'closed' && (
                    <button
                      type="button"
                      className="danger"
                      onClick={() => {
                        if (window.confirm('Withdraw the model? Every grant and key ends at once.'))
                          void act.run('/withdraw');
                      }}
                    >
                      Withdraw (no reason asked)
                    </button>
                  )}
                </p>
              </section>
            )}
            <PartnerDate w={w} base={base} developer={developerOrg} onChanged={win.reload} />
            <CoveredStatus w={w} base={base} onChanged={win.reload} />
            <Attachments w={w} base={base} developer={developerOrg} onChanged={win.reload} />
            <TermsSection
              w={w}
              base={base}
              myOrgId={me?.orgId}
              reviewer={reviewer}
              orgs={orgs}
              sign={(termsId, termsSha256) => void act.run('/consents', { termsId, termsSha256 })}
              onChanged={reloadAll}
            />
            <section aria-labelledby="grants">
              <h2 id="grants">Grants</h2>
              <GrantsTable grants={grants} developer={developer} orgs={orgs} act={(p) => void act.run(p)} />
              {developer && (w.state === 'offered' || w.state === 'open') && (
                <GrantForm base={base} w={w} orgs={orgs} onDone={reloadAll} />
              )}
              {government && w.state === 'open' && <ProposeGrantForm base={base} orgs={orgs} onDone={reloadAll} />}
              {mine.map((g) => (
                <Keys key={g.id} base={base} grant={g} gatewayURL={w.gateway.baseURL} />
              ))}
            </section>
            {ownGrants.length > 0 && (
              <section aria-labelledby="usage">
                <h2 id="usage">Your grant usage</h2>
                <p>
                  What the gateway has counted against your grant's budget.{' '}
                  {running ? 'Runs are going on: the figures follow them.' : ''}
                </p>
                {ownGrants.map((g) => (
                  <GrantUsage key={g.id} grant={g} orgs={orgs} />
                ))}
                <p>
                  <button type="button" onClick={() => grants.reload()}>
                    Refresh usage
                  </button>
                </p>
              </section>
            )}
            <section aria-labelledby="runs">
              <h2 id="runs">Runs and scores</h2>
              <RunsTable runs={runs} openRun={openRun} setOpenRun={setOpenRun} />
              <p>
                <button type="button" onClick={refreshRuns}>
                  Refresh runs
                </button>
              </p>
              {openRun && <RunDetailView key={openRun} windowId={id} runId={openRun} />}
              {reviewer && w.state === 'open' && <StartRunForm base={base} grants={mine} onStarted={refreshRuns} />}
            </section>
            <section aria-labelledby="wfindings">
              <h2 id="wfindings">Findings</h2>
              <FindingsTable
                findings={findings}
                base={base}
                reviewer={reviewer}
                developer={developer}
                myMemberId={me?.memberId}
                act={(p, b) => void act.run(p, b)}
                onChanged={reloadAll}
              />
              {reviewer && (w.state === 'open' || w.state === 'closed') && (runs.data?.items.length ?? 0) > 0 && (
                <FindingForm base={base} runs={runs.data!.items} onCreated={() => findings.reload()} />
              )}
            </section>
            {(developerOrg || reviewer) && <ReportPanel base={base} />}
            {seesLog && <GatewayLog base={base} grants={grants.data?.items ?? []} orgs={orgs} />}
          </article>
        );
      }}
    </Async>
  );
}
