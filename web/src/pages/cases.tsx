import { type FormEvent, useState } from 'react';
import { api } from '../api';
import { Choice } from '../components/form';
import { OrgName, useOrgs } from '../orgs';
import { Link, navigate } from '../router';
import { isCoordinator, useSession } from '../session';
import type { CaseDetail, CaseSummary, Page } from '../types';
import {
  Async,
  ErrorSummary,
  Field,
  issuesFor,
  PageTitle,
  TlpBadge,
  useAction,
  useApi,
  useFields,
  viewerZone,
  When,
} from '../ui';

export function CasesPage() {
  const list = useApi<Page<CaseSummary>>('/api/v1/cases');
  return (
    <>
      <PageTitle>Cases</PageTitle>
      <p>Coordinated cases you take part in. Coordinators open cases from the triage inbox.</p>
      <Async state={list} what="Loading cases">
        {(d) =>
          d.items.length === 0 ? (
            <p>No cases.</p>
          ) : (
            <table className="data">
              <caption className="sr-only">Cases</caption>
              <thead>
                <tr>
                  <th scope="col">Title</th>
                  <th scope="col">State</th>
                  <th scope="col">Embargo</th>
                  <th scope="col">Marking</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/cases/${c.id}`}>{c.title}</Link>
                    </td>
                    <td>
                      {c.rmState} <span className="muted">({c.caseState})</span>
                    </td>
                    <td>
                      {c.embargo?.state ?? 'none'}
                      {c.embargo?.endsAt && (
                        <>
                          , ends <When at={c.embargo.endsAt} withZone />
                        </>
                      )}
                    </td>
                    <td>
                      <TlpBadge tlp={c.tlp} />
                    </td>
                    <td>
                      <When at={c.updatedAt} />
                    </td>
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

/** A datetime-local value (viewer's zone) as an ISO-8601 UTC instant. */
function localToIso(v: string): string {
  return v ? new Date(v).toISOString() : '';
}

interface Message {
  id: string;
  product: string;
  authorOrgId: string;
  body: string;
  createdAt: string;
}

function Threads({ caseId }: { caseId: string }) {
  const msgs = useApi<{ threads: Record<string, Message[]> }>(`/api/v1/cases/${caseId}/messages`);
  const orgs = useOrgs();
  const [product, setProduct] = useState('general');
  const [body, setBody] = useState('');
  const post = useAction(async () => {
    await api('POST', `/api/v1/cases/${caseId}/messages`, { product, body });
    setBody('');
    msgs.reload();
  });
  return (
    <section aria-labelledby="threads">
      <h2 id="threads">Threads</h2>
      <Async state={msgs} what="Loading threads">
        {(d) =>
          Object.keys(d.threads).length === 0 ? (
            <p>No messages yet.</p>
          ) : (
            Object.entries(d.threads).map(([p, list]) => (
              <div key={p} className="thread">
                <h3>{p}</h3>
                <ol className="plain">
                  {list.map((m) => (
                    <li key={m.id}>
                      <strong>
                        <OrgName id={m.authorOrgId} orgs={orgs} />
                      </strong>{' '}
                      <When at={m.createdAt} />: <span className="prose">{m.body}</span>
                    </li>
                  ))}
                </ol>
              </div>
            ))
          )
        }
      </Async>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void post.run();
        }}
        className="stack"
      >
        <ErrorSummary error={post.error} />
        <Field label="Thread (product)" issues={issuesFor(post.error?.issues ?? [], 'product')}>
          {(p) => <input {...p} value={product} onChange={(e) => setProduct(e.target.value)} />}
        </Field>
        <Field label="Message" issues={issuesFor(post.error?.issues ?? [], 'body')}>
          {(p) => <textarea {...p} rows={3} value={body} onChange={(e) => setBody(e.target.value)} />}
        </Field>
        <button type="submit" disabled={post.busy}>
          Post message
        </button>
      </form>
    </section>
  );
}

function Embargo({ c, reload }: { c: CaseDetail; reload: () => void }) {
  const { me } = useSession();
  const orgs = useOrgs();
  const [ends, setEnds] = useState('');
  const [reason, setReason] = useState('');
  const act = useAction(async (body: Record<string, unknown>) => {
    await api('POST', `/api/v1/cases/${c.id}/embargo`, body);
    reload();
  });
  const e = c.embargo;
  const mine = me ? e?.consents?.[me.orgId] : undefined;
  const coordinator = isCoordinator(me);
  return (
    <section aria-labelledby="embargo">
      <h2 id="embargo">Embargo</h2>
      <p>
        Times are shown in your time zone, <strong>{viewerZone()}</strong>.
      </p>
      {!e || e.state === 'none' ? (
        <p>No embargo.</p>
      ) : (
        <>
          <p>
            State: <strong>{e.state}</strong>
            {c.embargoInForce ? ' (in force)' : ''}.
            {e.endsAt && (
              <>
                {' '}
                Ends <When at={e.endsAt} withZone />.
              </>
            )}
          </p>
          {e.proposal && (
            <p>
              Proposed end: <When at={e.proposal.endsAt} withZone />
              {e.proposal.reason && <> — {e.proposal.reason}</>}
            </p>
          )}
          {e.consents && (
            <ul>
              {Object.values(e.consents).map((x) => (
                <li key={x.orgId}>
                  <OrgName id={x.orgId} orgs={orgs} />: {x.status}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <ErrorSummary error={act.error} fieldIds={{ endsAt: 'embargo-end' }} />
      {mine?.status === 'pending' && (
        <p className="actions">
          <button type="button" onClick={() => void act.run({ action: 'consent' })}>
            Consent to the embargo
          </button>
          <button type="button" onClick={() => void act.run({ action: 'decline' })}>
            Decline
          </button>
        </p>
      )}
      {coordinator && e?.state === 'proposed' && (
        <p className="actions">
          <button type="button" onClick={() => void act.run({ action: 'accept' })}>
            Accept the proposal
          </button>
          <button type="button" onClick={() => void act.run({ action: 'reject' })}>
            Reject the proposal
          </button>
        </p>
      )}
      {coordinator && (
        <form
          className="inline-form"
          aria-label="Propose an embargo end"
          onSubmit={(ev: FormEvent) => {
            ev.preventDefault();
            void act.run({ action: 'propose', endsAt: localToIso(ends), ...(reason ? { reason } : {}) });
          }}
        >
          <Field
            label={`Embargo end (your time, ${viewerZone()})`}
            id="embargo-end"
            issues={issuesFor(act.error?.issues ?? [], 'endsAt')}
          >
            {(p) => <input {...p} type="datetime-local" value={ends} onChange={(ev) => setEnds(ev.target.value)} />}
          </Field>
          <Field label="Reason">
            {(p) => <input {...p} value={reason} onChange={(ev) => setReason(ev.target.value)} />}
          </Field>
          <button type="submit" disabled={act.busy}>
            Propose embargo
          </button>
        </form>
      )}
    </section>
  );
}

function Publish({ c }: { c: CaseDetail }) {
  const [f, setF, set] = useFields({
    summary: c.title,
    details: '',
    tlp: 'CLEAR',
    ssvc: false,
    exploitation: 'none',
    automatable: 'no',
    technicalImpact: 'partial',
    missionAndWellBeing: 'medium',
  });
  const pub = useAction(async () => {
    const body = {
      summary: f.summary,
      details: f.details,
      marking: { tlp: f.tlp },
      ...(f.ssvc
        ? {
            ssvc: {
              exploitation: f.exploitation,
              automatable: f.automatable,
              technicalImpact: f.technicalImpact,
              missionAndWellBeing: f.missionAndWellBeing,
            },
          }
        : {}),
    };
    const adv = await api<{ id: string }>('POST', `/api/v1/cases/${c.id}/advisories`, body);
    navigate(`/advisories/${encodeURIComponent(adv.id)}`);
  });
  const issues = pub.error?.issues ?? [];
  const sel = (k: keyof typeof f, label: string, options: string[]) => (
    <Field label={label} issues={issuesFor(issues, `ssvc.${k}`)}>
      {(p) => <Choice {...p} value={String(f[k])} onChange={set(k)} choices={options} />}
    </Field>
  );
  return (
    <section aria-labelledby="publish">
      <h2 id="publish">Publish as advisory</h2>
      <form
        className="stack"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void pub.run();
        }}
        noValidate
      >
        <ErrorSummary error={pub.error} fieldIds={{ summary: 'pub-summary' }} />
        <Field label="Summary" id="pub-summary" issues={issuesFor(issues, 'summary')}>
          {(p) => <input {...p} value={f.summary} onChange={set('summary')} />}
        </Field>
        <Field label="Details" issues={issuesFor(issues, 'details')}>
          {(p) => <textarea {...p} rows={4} value={f.details} onChange={set('details')} />}
        </Field>
        <Field label="Marking (TLP)" issues={issuesFor(issues, 'marking')}>
          {(p) => (
            <Choice
              {...p}
              value={f.tlp}
              onChange={set('tlp')}
              choices={['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']}
              text={(t) => `TLP:${t}`}
            />
          )}
        </Field>
        <div className="field checkbox">
          <input
            id="pub-ssvc"
            type="checkbox"
            checked={f.ssvc}
            onChange={(e) => setF({ ...f, ssvc: e.target.checked })}
          />
          <label htmlFor="pub-ssvc">Record an SSVC decision</label>
        </div>
        {f.ssvc && (
          <fieldset>
            <legend>SSVC decision points</legend>
            {sel('exploitation', 'Exploitation', ['none', 'public_poc', 'active'])}
            {sel('automatable', 'Automatable', ['no', 'yes'])}
            {sel('technicalImpact', 'Technical impact', ['partial', 'total'])}
            {sel('missionAndWellBeing', 'Mission and well-being', ['low', 'medium', 'high'])}
          </fieldset>
        )}
        <button type="submit" className="primary" disabled={pub.busy}>
          Publish advisory
        </button>
      </form>
    </section>
  );
}

export function CasePage({ id }: { id: string }) {
  const { me } = useSession();
  const kase = useApi<CaseDetail>(`/api/v1/cases/${id}`);
  const orgs = useOrgs();
  const [to, setTo] = useState('valid');
  const move = useAction(async () => {
    await api('POST', `/api/v1/cases/${id}/rm`, { to });
    kase.reload();
  });
  return (
    <Async state={kase} what="Loading the case" title="Case">
      {(c) => (
        <article>
          <p>
            <Link to="/cases">← All cases</Link>
          </p>
          <PageTitle>{c.title}</PageTitle>
          <p className="meta">
            <TlpBadge tlp={c.tlp} /> report management: <strong>{c.rmState}</strong> · case state {c.caseState} · opened{' '}
            <When at={c.createdAt} withZone />
          </p>
          <section aria-labelledby="reports">
            <h2 id="reports">Reports</h2>
            <ul>
              {c.reports.map((r) => (
                <li key={r.reportId}>
                  {r.visible ? (
                    <Link to={`/reports/${r.reportId}`}>{r.reportId.slice(0, 8)}</Link>
                  ) : (
                    'a report you may not see'
                  )}{' '}
                  ({r.relation})
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="participants">
            <h2 id="participants">Participants</h2>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Organisation</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Status due</th>
                  <th scope="col">Their time zone</th>
                </tr>
              </thead>
              <tbody>
                {c.participants.map((p) => (
                  <tr key={`${p.orgId}-${p.role}`}>
                    <td>
                      <OrgName id={p.orgId} orgs={orgs} />
                    </td>
                    <td>{p.role}</td>
                    <td>{p.effectiveStatus.replace(/_/g, ' ')}</td>
                    <td>
                      <When at={p.statusDeadline} />
                    </td>
                    <td>{p.timeZone ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <Embargo c={c} reload={kase.reload} />
          {isCoordinator(me) && (
            <section aria-labelledby="rm">
              <h2 id="rm">Move the case</h2>
              <ErrorSummary error={move.error} />
              <div className="inline-form">
                <label htmlFor="rm-to">New report-management state</label>
                <select id="rm-to" value={to} onChange={(e) => setTo(e.target.value)}>
                  {['received', 'invalid', 'valid', 'deferred', 'accepted', 'closed'].map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </select>
                <button type="button" onClick={() => void move.run()} disabled={move.busy}>
                  Move
                </button>
              </div>
            </section>
          )}
          <Threads caseId={c.id} />
          <section aria-labelledby="timeline">
            <h2 id="timeline">Timeline</h2>
            <ol className="timeline">
              {c.timeline.map((t) => (
                <li key={`${t.at}:${t.kind}:${JSON.stringify(t.details)}`}>
                  <When at={t.at} withZone /> — <strong>{t.kind.replace(/^case\./, '').replace(/_/g, ' ')}</strong>
                  {typeof t.details?.to === 'string' && <> to {t.details.to}</>}
                  {typeof t.details?.reason === 'string' && t.details.reason && <> ({t.details.reason})</>}
                </li>
              ))}
            </ol>
          </section>
          {isCoordinator(me) && <Publish c={c} />}
        </article>
      )}
    </Async>
  );
}
