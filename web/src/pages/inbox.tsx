import { type FormEvent, useState } from 'react';
import { api } from '../api';
import { OrgName, useOrgs } from '../orgs';
import { Link, navigate } from '../router';
import type { CaseSummary, Page } from '../types';
import { Async, ErrorSummary, PageTitle, shortId, TlpBadge, useAction, useApi, When } from '../ui';
import { SignalList } from './triage';

interface InboxItem {
  reportId: string;
  title: string;
  tlp: string;
  submitterOrgId: string;
  discoveryMethod: string;
  validationState: string;
  clusterId: string | null;
  createdAt: string;
  priority: number;
  signals: { name: string; value: number; points: number; reason: string }[];
}

/** Other reports in the row's cluster, from its duplicates signal. */
const duplicatesOf = (i: InboxItem) => i.signals.find((s) => s.name === 'duplicates')?.value ?? 0;

/** The row's cluster: a link to the cluster page, named with the count of other reports in it. */
function ClusterCell({ id, title, others }: { id: string; title: string; others: number }) {
  return (
    <Link to={`/triage/clusters/${id}`}>
      {others === 0 ? 'alone' : `+${others} duplicate${others === 1 ? '' : 's'}`}
      <span className="sr-only"> in the cluster of “{title}”</span> <code>{shortId(id)}</code>
    </Link>
  );
}

/** The coordinators' triage inbox (GET /api/v1/reports?sort=triage) with filters and bulk actions. */
export function InboxPage() {
  const inbox = useApi<{ items: InboxItem[]; total: number }>('/api/v1/reports?sort=triage&limit=200');
  const cases = useApi<Page<CaseSummary>>('/api/v1/cases');
  const orgs = useOrgs();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [stateFilter, setStateFilter] = useState('unvalidated');
  const [methodFilter, setMethodFilter] = useState('');
  const [caseTitle, setCaseTitle] = useState('');
  const [targetCase, setTargetCase] = useState('');
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState('');
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const ids = [...selected];
  const done = (text: string) => {
    setMessage(text);
    setSelected(new Set());
    inbox.reload();
  };
  const open = useAction(async () => {
    const c = await api<{ id: string }>('POST', '/api/v1/cases', { title: caseTitle, reportIds: ids });
    navigate(`/cases/${c.id}`);
  });
  const attach = useAction(async () => {
    for (const id of ids) await api('POST', `/api/v1/cases/${targetCase}/reports`, { reportId: id });
    done(`${ids.length} report(s) attached as duplicates.`);
  });
  const reject = useAction(async () => {
    for (const id of ids)
      await api('POST', `/api/v1/triage/reports/${id}/validations`, { state: 'invalid', notes: reason });
    done(`${ids.length} report(s) rejected.`);
  });
  const stop = (e: FormEvent) => e.preventDefault();
  return (
    <>
      <PageTitle>Triage inbox</PageTitle>
      <p>Reports waiting for a decision, highest triage priority first, each with the reasons for its place.</p>
      <div className="filters">
        <div className="field">
          <label htmlFor="in-state">Validation</label>
          <select id="in-state" value={stateFilter} onChange={(e) => setStateFilter(e.target.value)}>
            <option value="">any</option>
            <option value="unvalidated">unvalidated</option>
            <option value="reproduced">reproduced</option>
            <option value="could_not_reproduce">could not reproduce</option>
            <option value="invalid">invalid (rejected)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="in-method">Found by</label>
          <select id="in-method" value={methodFilter} onChange={(e) => setMethodFilter(e.target.value)}>
            <option value="">anyone</option>
            <option value="human">a person</option>
            <option value="ai_assisted">AI-assisted</option>
            <option value="ai_autonomous">AI, autonomously</option>
          </select>
        </div>
      </div>
      {message && (
        <p role="status" className="ok">
          {message}
        </p>
      )}
      <Async state={inbox} what="Loading the inbox">
        {(d) => {
          const items = d.items.filter(
            (i) =>
              (!stateFilter || i.validationState === stateFilter) &&
              (!methodFilter || i.discoveryMethod === methodFilter),
          );
          return items.length === 0 ? (
            <p>Nothing waits here.</p>
          ) : (
            <table className="data">
              <caption className="sr-only">Inbox reports; select rows for the actions below</caption>
              <thead>
                <tr>
                  <th scope="col">Select</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Report</th>
                  <th scope="col">From</th>
                  <th scope="col">Cluster</th>
                  <th scope="col">Signals and reasons</th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <tr key={i.reportId} className={selected.has(i.reportId) ? 'selected' : undefined}>
                    <td>
                      <input
                        type="checkbox"
                        id={`sel-${i.reportId}`}
                        checked={selected.has(i.reportId)}
                        onChange={() => toggle(i.reportId)}
                        aria-label={`Select: ${i.title}`}
                      />
                    </td>
                    <td>{i.priority.toFixed(1)}</td>
                    <td>
                      <Link to={`/reports/${i.reportId}`}>{i.title}</Link>
                      <div className="small">
                        <TlpBadge tlp={i.tlp} /> {i.discoveryMethod.replace(/_/g, ' ')} ·{' '}
                        {i.validationState.replace(/_/g, ' ')} · <When at={i.createdAt} />
                      </div>
                    </td>
                    <td>
                      <OrgName id={i.submitterOrgId} orgs={orgs} />
                    </td>
                    <td>
                      {i.clusterId ? (
                        <ClusterCell id={i.clusterId} title={i.title} others={duplicatesOf(i)} />
                      ) : (
                        <span className="muted">not clustered yet</span>
                      )}
                    </td>
                    <td>
                      <SignalList signals={i.signals} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Async>
      <section aria-labelledby="bulk" className="bulk">
        <h2 id="bulk">With the {ids.length} selected report(s)</h2>
        <form onSubmit={stop} className="inline-form" aria-label="Open a case">
          <ErrorSummary error={open.error} />
          <label htmlFor="case-title">New case title</label>
          <input id="case-title" value={caseTitle} onChange={(e) => setCaseTitle(e.target.value)} />
          <button
            type="button"
            className="primary"
            disabled={ids.length === 0 || open.busy}
            onClick={() => void open.run()}
          >
            Open a case from the selected
          </button>
        </form>
        <form onSubmit={stop} className="inline-form" aria-label="Attach as duplicate">
          <ErrorSummary error={attach.error} />
          <label htmlFor="case-target">Existing case</label>
          <select id="case-target" value={targetCase} onChange={(e) => setTargetCase(e.target.value)}>
            <option value="">choose a case</option>
            {(cases.data?.items ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={ids.length === 0 || !targetCase || attach.busy}
            onClick={() => void attach.run()}
          >
            Attach as duplicates
          </button>
        </form>
        <form onSubmit={stop} className="inline-form" aria-label="Reject">
          <ErrorSummary error={reject.error} />
          <label htmlFor="reject-reason">Reason for rejecting</label>
          <input id="reject-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          <button
            type="button"
            disabled={ids.length === 0 || !reason.trim() || reject.busy}
            onClick={() => void reject.run()}
          >
            Reject with reason
          </button>
        </form>
      </section>
    </>
  );
}
