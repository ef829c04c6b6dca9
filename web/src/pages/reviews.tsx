import { useState } from 'react';
import { api } from '../api';
import { OrgName, useOrgs } from '../orgs';
import { Link } from '../router';
import { Async, ErrorSummary, PageTitle, TlpBadge, useAction, useApi, When } from '../ui';

interface Terms {
  id: string;
  audience: string;
  version: number;
  text: string;
  textSha256: string;
  onWithdrawal: string;
}
interface Consent {
  termsId: string;
  party: string;
  signerOrgId: string;
  signedAt: string;
}
interface ReviewWindow {
  id: string;
  developerOrgId: string;
  modelName: string;
  snapshotId: string;
  state: string;
  trustedPartnerDate: string;
  offeredAt: string | null;
  openedAt: string | null;
  closesAt: string | null;
  withdrawnAt: string | null;
  variants: string[];
  myRole: string;
  terms: Terms[];
  consents: Consent[];
}
interface Grant {
  id: string;
  granteeOrgId: string;
  role: string;
  variants: string[];
  status: string;
  validUntil: string | null;
  budget: { requests: number; tokens: number; seconds: number };
  used: { requests: number; tokens: number; seconds: number };
}
interface Run {
  id: string;
  suite: string;
  task: string;
  variant: string;
  reference: boolean;
  status: string;
  createdAt: string;
  results: { scorer: string; metrics: { accuracy: { value: number }; stderr: { value: number } } }[];
}
interface RunDetail extends Run {
  comparison?: {
    referenceRunId: string;
    scores: {
      scorer: string;
      accuracy: number;
      referenceAccuracy: number;
      difference: number;
      ci95: [number, number];
    }[];
  };
}
interface Finding {
  id: string;
  title: string;
  type: string;
  severity: string;
  state: string;
  tlp: string;
  reproducibility: { k: number; n: number };
  response: { value: string; note: string } | null;
}

export function ReviewsPage() {
  const list = useApi<{ items: ReviewWindow[] }>('/api/v1/reviews/windows');
  const orgs = useOrgs();
  return (
    <>
      <PageTitle>Review windows</PageTitle>
      <p>Pre-release model reviews you take part in: as the developer, as a grantee, or as coordinator.</p>
      <Async state={list} what="Loading review windows">
        {(d) =>
          d.items.length === 0 ? (
            <p>No review windows.</p>
          ) : (
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Developer</th>
                  <th scope="col">State</th>
                  <th scope="col">Closes</th>
                  <th scope="col">Your role</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((w) => (
                  <tr key={w.id}>
                    <td>
                      <Link to={`/reviews/${w.id}`}>
                        {w.modelName} ({w.snapshotId})
                      </Link>
                    </td>
                    <td>
                      <OrgName id={w.developerOrgId} orgs={orgs} />
                    </td>
                    <td>{w.state}</td>
                    <td>
                      <When at={w.closesAt ?? w.trustedPartnerDate} withZone />
                    </td>
                    <td>{w.myRole}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </>
  );
}

function RunScores({ windowId, runId }: { windowId: string; runId: string }) {
  const run = useApi<RunDetail>(`/api/v1/reviews/windows/${windowId}/runs/${runId}`);
  return (
    <Async state={run} what="Loading the run">
      {(r) =>
        r.comparison ? (
          <table className="data">
            <caption>Compared with reference run {r.comparison.referenceRunId.slice(0, 8)}</caption>
            <thead>
              <tr>
                <th scope="col">Scorer</th>
                <th scope="col">Accuracy</th>
                <th scope="col">Reference</th>
                <th scope="col">Difference (95% CI)</th>
              </tr>
            </thead>
            <tbody>
              {r.comparison.scores.map((c) => (
                <tr key={c.scorer}>
                  <td>{c.scorer}</td>
                  <td>{c.accuracy.toFixed(3)}</td>
                  <td>{c.referenceAccuracy.toFixed(3)}</td>
                  <td>
                    {c.difference >= 0 ? '+' : ''}
                    {c.difference.toFixed(3)} ({c.ci95[0].toFixed(3)} to {c.ci95[1].toFixed(3)})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>No reference run to compare with.</p>
        )
      }
    </Async>
  );
}

export function ReviewPage({ id }: { id: string }) {
  const base = `/api/v1/reviews/windows/${id}`;
  const win = useApi<ReviewWindow>(base);
  const grants = useApi<{ items: Grant[] }>(`${base}/grants`);
  const runs = useApi<{ items: Run[] }>(`${base}/runs`);
  const findings = useApi<{ items: Finding[] }>(`${base}/findings`);
  const orgs = useOrgs();
  const [openRun, setOpenRun] = useState<string | null>(null);
  const act = useAction(async (path: string, body?: unknown) => {
    await api('POST', `${base}${path}`, body);
    win.reload();
    grants.reload();
    findings.reload();
  });
  return (
    <Async state={win} what="Loading the review window" title="Review window">
      {(w) => {
        const developer = w.myRole === 'developer';
        const latestGov = w.terms.filter((t) => t.audience === 'government').sort((a, b) => b.version - a.version)[0];
        return (
          <article>
            <p>
              <Link to="/reviews">← All review windows</Link>
            </p>
            <PageTitle>
              {w.modelName} ({w.snapshotId})
            </PageTitle>
            <p className="meta">
              State <strong>{w.state}</strong> · your role {w.myRole} · trusted-partner date{' '}
              <When at={w.trustedPartnerDate} withZone />
              {w.closesAt && (
                <>
                  {' '}
                  · closes <When at={w.closesAt} withZone />
                </>
              )}{' '}
              · variants {w.variants.join(', ')}
            </p>
            <ErrorSummary error={act.error} />
            {developer && (
              <section aria-labelledby="dev-actions">
                <h2 id="dev-actions">Developer actions</h2>
                <p className="actions">
                  {latestGov && (
                    <button
                      type="button"
                      onClick={() =>
                        void act.run('/consents', { termsId: latestGov.id, termsSha256: latestGov.textSha256 })
                      }
                    >
                      Consent to government terms v{latestGov.version}
                    </button>
                  )}
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
                  {!w.withdrawnAt && (
                    <button type="button" className="danger" onClick={() => void act.run('/withdraw')}>
                      Withdraw (no reason asked)
                    </button>
                  )}
                </p>
              </section>
            )}
            <section aria-labelledby="terms">
              <h2 id="terms">Terms and consents</h2>
              {w.terms.length === 0 && <p>No terms yet (the developer adds them through the API).</p>}
              <ul>
                {w.terms.map((t) => (
                  <li key={t.id}>
                    {t.audience} terms v{t.version} (on withdrawal: {t.onWithdrawal}), SHA-256{' '}
                    <code>{t.textSha256.slice(0, 16)}…</code>; signed by{' '}
                    {w.consents
                      .filter((c) => c.termsId === t.id)
                      .map((c) => orgs.get(c.signerOrgId)?.name ?? c.party)
                      .join(', ') || 'nobody yet'}
                  </li>
                ))}
              </ul>
            </section>
            <section aria-labelledby="grants">
              <h2 id="grants">Grants</h2>
              <Async state={grants} what="Loading grants">
                {(g) =>
                  g.items.length === 0 ? (
                    <p>No grants.</p>
                  ) : (
                    <table className="data">
                      <thead>
                        <tr>
                          <th scope="col">Grantee</th>
                          <th scope="col">Role</th>
                          <th scope="col">Status</th>
                          <th scope="col">Budget used</th>
                          <th scope="col">Action</th>
                        </tr>
                      </thead>
                      <tbody>
                        {g.items.map((x) => (
                          <tr key={x.id}>
                            <td>
                              <OrgName id={x.granteeOrgId} orgs={orgs} />
                            </td>
                            <td>{x.role.replace(/_/g, ' ')}</td>
                            <td>{x.status}</td>
                            <td>
                              {x.used.requests}/{x.budget.requests} requests, {x.used.tokens}/{x.budget.tokens} tokens
                            </td>
                            <td>
                              {developer && x.status === 'proposed' && (
                                <>
                                  <button type="button" onClick={() => void act.run(`/grants/${x.id}/accept`)}>
                                    Approve
                                  </button>{' '}
                                  <button type="button" onClick={() => void act.run(`/grants/${x.id}/decline`)}>
                                    Decline
                                  </button>
                                </>
                              )}
                              {developer && x.status === 'active' && (
                                <button type="button" onClick={() => void act.run(`/grants/${x.id}/revoke`)}>
                                  Revoke
                                </button>
                              )}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )
                }
              </Async>
            </section>
            <section aria-labelledby="runs">
              <h2 id="runs">Runs and scores</h2>
              <Async state={runs} what="Loading runs">
                {(r) =>
                  r.items.length === 0 ? (
                    <p>No runs you may see.</p>
                  ) : (
                    <table className="data">
                      <thead>
                        <tr>
                          <th scope="col">Suite and task</th>
                          <th scope="col">Variant</th>
                          <th scope="col">Status</th>
                          <th scope="col">Scores</th>
                          <th scope="col">Reference comparison</th>
                        </tr>
                      </thead>
                      <tbody>
                        {r.items.map((x) => (
                          <tr key={x.id}>
                            <td>
                              {x.suite} / {x.task}
                              {x.reference ? ' (reference)' : ''}
                            </td>
                            <td>{x.variant}</td>
                            <td>{x.status}</td>
                            <td>
                              {x.results
                                .map(
                                  (s) =>
                                    `${s.scorer} ${s.metrics.accuracy.value.toFixed(3)} ± ${s.metrics.stderr.value.toFixed(3)}`,
                                )
                                .join('; ') || '—'}
                            </td>
                            <td>
                              <button
                                type="button"
                                aria-expanded={openRun === x.id}
                                onClick={() => setOpenRun(openRun === x.id ? null : x.id)}
                              >
                                Compare
                              </button>
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )
                }
              </Async>
              {openRun && <RunScores windowId={id} runId={openRun} />}
            </section>
            <section aria-labelledby="wfindings">
              <h2 id="wfindings">Findings</h2>
              <Async state={findings} what="Loading findings">
                {(f) =>
                  f.items.length === 0 ? (
                    <p>No findings you may see.</p>
                  ) : (
                    <table className="data">
                      <thead>
                        <tr>
                          <th scope="col">Title</th>
                          <th scope="col">Severity</th>
                          <th scope="col">State</th>
                          <th scope="col">Reproduced</th>
                          <th scope="col">Developer response</th>
                        </tr>
                      </thead>
                      <tbody>
                        {f.items.map((x) => (
                          <tr key={x.id}>
                            <td>
                              {x.title} <TlpBadge tlp={x.tlp} />
                            </td>
                            <td>{x.severity}</td>
                            <td>{x.state}</td>
                            <td>
                              {x.reproducibility.k} of {x.reproducibility.n}
                            </td>
                            <td>
                              {x.response ? (
                                x.response.value
                              ) : developer && x.state === 'shared' ? (
                                <button
                                  type="button"
                                  onClick={() =>
                                    void act.run(`/findings/${x.id}/response`, { response: 'acknowledged' })
                                  }
                                >
                                  Acknowledge
                                </button>
                              ) : (
                                '—'
                              )}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )
                }
              </Async>
            </section>
          </article>
        );
      }}
    </Async>
  );
}
