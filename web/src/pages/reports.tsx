import { type FormEvent, useState } from 'react';
import { api, qs } from '../api';
import { Choice } from '../components/form';
import { OrgName, useOrgs } from '../orgs';
import { Link, navigate, useLocation } from '../router';
import { isCoordinator, useSession } from '../session';
import type { Page, Report } from '../types';
import {
  Async,
  ErrorSummary,
  Field,
  issuesFor,
  PageTitle,
  Severity,
  TlpBadge,
  useAction,
  useApi,
  useFields,
  When,
} from '../ui';
import { ValidationPanel } from './triage';

const STATES = ['unvalidated', 'reproduced', 'could_not_reproduce', 'invalid'];
const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

export function ReportsPage() {
  const { search } = useLocation();
  const filters = { q: search.get('q') ?? '', state: search.get('state') ?? '', cursor: search.get('cursor') ?? '' };
  const [form, setForm] = useState(filters);
  const list = useApi<Page<Report>>(`/api/v1/reports${qs({ ...filters, limit: 50 })}`);
  const orgs = useOrgs();
  return (
    <>
      <PageTitle>Reports</PageTitle>
      <p>
        <Link to="/reports/new" className="button primary">
          Submit a report
        </Link>
      </p>
      <form
        className="filters"
        aria-label="Filter reports"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/reports${qs({ q: form.q, state: form.state })}`);
        }}
      >
        <div className="field">
          <label htmlFor="rep-q">Search</label>
          <input id="rep-q" type="search" value={form.q} onChange={(e) => setForm({ ...form, q: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="rep-state">Validation</label>
          <select id="rep-state" value={form.state} onChange={(e) => setForm({ ...form, state: e.target.value })}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary">
          Filter
        </button>
      </form>
      <Async state={list} what="Loading reports">
        {(page) =>
          page.items.length === 0 ? (
            <p>No reports you may see match.</p>
          ) : (
            <>
              <table className="data">
                <caption className="sr-only">Reports you may see, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">From</th>
                    <th scope="col">Severity</th>
                    <th scope="col">Validation</th>
                    <th scope="col">Marking</th>
                    <th scope="col">Submitted</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((r) => (
                    <tr key={r.id}>
                      <td>
                        <Link to={`/reports/${r.id}`}>{r.title}</Link>
                      </td>
                      <td>
                        <OrgName id={r.submitterOrgId} orgs={orgs} />
                      </td>
                      <td>
                        <Severity value={r.cvss?.severity} />
                      </td>
                      <td>{r.validationState.replace(/_/g, ' ')}</td>
                      <td>
                        <TlpBadge tlp={r.marking.tlp} />
                      </td>
                      <td>
                        <When at={r.createdAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {page.nextCursor && (
                <p>
                  <Link to={`/reports${qs({ q: filters.q, state: filters.state, cursor: page.nextCursor })}`}>
                    Next page
                  </Link>
                </p>
              )}
            </>
          )
        }
      </Async>
    </>
  );
}

const splitList = (s: string) =>
  s
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);

export function NewReportPage() {
  const [f, , set] = useFields({
    title: '',
    description: '',
    discoveryMethod: 'ai_autonomous',
    model: '',
    harness: '',
    purl: '',
    introduced: '0',
    fixed: '',
    cweIds: '',
    atlasIds: '',
    cvssVector: '',
    tlp: 'AMBER',
  });
  const action = useAction(async () => {
    const events: Record<string, string>[] = [{ introduced: f.introduced || '0' }];
    if (f.fixed) events.push({ fixed: f.fixed });
    const body = {
      title: f.title,
      description: f.description,
      provenance: {
        discoveryMethod: f.discoveryMethod,
        ...(f.model ? { model: f.model } : {}),
        ...(f.harness ? { harness: f.harness } : {}),
      },
      affected: f.purl ? [{ purl: f.purl, ranges: [{ type: 'ECOSYSTEM', events }] }] : [],
      cweIds: splitList(f.cweIds),
      atlasIds: splitList(f.atlasIds),
      ...(f.cvssVector ? { cvssVector: f.cvssVector } : {}),
      marking: { tlp: f.tlp },
    };
    const created = await api<Report>('POST', '/api/v1/reports', body);
    navigate(`/reports/${created.id}`);
  });
  const issues = action.error?.issues ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run();
  };
  const ids = {
    title: 'r-title',
    description: 'r-description',
    'provenance.discoveryMethod': 'r-method',
    'provenance.model': 'r-model',
    'provenance.harness': 'r-harness',
    affected: 'r-purl',
    cweIds: 'r-cwe',
    atlasIds: 'r-atlas',
    cvssVector: 'r-cvss',
    marking: 'r-tlp',
  };
  return (
    <>
      <PageTitle>Submit a report</PageTitle>
      <p>
        Describe one vulnerability. Fields are checked by the server; any problem is shown beside its field. The marking
        decides who may see the report (TLP 2.0).
      </p>
      <form onSubmit={submit} noValidate className="stack">
        <ErrorSummary error={action.error} fieldIds={ids} />
        <Field label="Title" id={ids.title} issues={issuesFor(issues, 'title')}>
          {(p) => <input {...p} value={f.title} onChange={set('title')} />}
        </Field>
        <Field label="Description" id={ids.description} issues={issuesFor(issues, 'description')}>
          {(p) => <textarea {...p} rows={6} value={f.description} onChange={set('description')} />}
        </Field>
        <fieldset>
          <legend>How it was found</legend>
          <Field
            label="Discovery method"
            id={ids['provenance.discoveryMethod']}
            issues={issuesFor(issues, 'provenance.discoveryMethod')}
          >
            {(p) => (
              <select {...p} value={f.discoveryMethod} onChange={set('discoveryMethod')}>
                <option value="human">by a person</option>
                <option value="ai_assisted">AI-assisted</option>
                <option value="ai_autonomous">AI, autonomously</option>
              </select>
            )}
          </Field>
          <Field
            label="Model (if AI was used)"
            id={ids['provenance.model']}
            issues={issuesFor(issues, 'provenance.model')}
          >
            {(p) => <input {...p} value={f.model} onChange={set('model')} />}
          </Field>
          <Field label="Harness" id={ids['provenance.harness']} issues={issuesFor(issues, 'provenance.harness')}>
            {(p) => <input {...p} value={f.harness} onChange={set('harness')} />}
          </Field>
        </fieldset>
        <fieldset>
          <legend>Affected package</legend>
          <Field
            label="Package URL (purl)"
            id={ids.affected}
            hint="For example pkg:pypi/example-orm"
            issues={issuesFor(issues, 'affected')}
          >
            {(p) => <input {...p} value={f.purl} onChange={set('purl')} />}
          </Field>
          <Field label="Introduced in version" issues={[]}>
            {(p) => <input {...p} value={f.introduced} onChange={set('introduced')} />}
          </Field>
          <Field label="Fixed in version (if any)" issues={[]}>
            {(p) => <input {...p} value={f.fixed} onChange={set('fixed')} />}
          </Field>
        </fieldset>
        <Field label="CWE ids" id={ids.cweIds} hint="Comma-separated, e.g. CWE-79" issues={issuesFor(issues, 'cweIds')}>
          {(p) => <input {...p} value={f.cweIds} onChange={set('cweIds')} />}
        </Field>
        <Field
          label="MITRE ATLAS technique ids"
          id={ids.atlasIds}
          hint="e.g. AML.T0051"
          issues={issuesFor(issues, 'atlasIds')}
        >
          {(p) => <input {...p} value={f.atlasIds} onChange={set('atlasIds')} />}
        </Field>
        <Field label="CVSS 4.0 vector" id={ids.cvssVector} issues={issuesFor(issues, 'cvssVector')}>
          {(p) => <input {...p} value={f.cvssVector} onChange={set('cvssVector')} placeholder="CVSS:4.0/AV:N/…" />}
        </Field>
        <Field label="Marking (TLP)" id={ids.marking} issues={issuesFor(issues, 'marking')}>
          {(p) => <Choice {...p} value={f.tlp} onChange={set('tlp')} choices={TLPS} text={(t) => `TLP:${t}`} />}
        </Field>
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? 'Submitting…' : 'Submit report'}
        </button>
      </form>
    </>
  );
}

export function ReportPage({ id }: { id: string }) {
  const rep = useApi<Report>(`/api/v1/reports/${id}`);
  const orgs = useOrgs();
  const { me } = useSession();
  return (
    <Async state={rep} what="Loading the report" title="Report" keep>
      {(r) => (
        <article>
          <p>
            <Link to="/reports">← All reports</Link>
          </p>
          <PageTitle>{r.title}</PageTitle>
          <p className="meta">
            <TlpBadge tlp={r.marking.tlp} /> <Severity value={r.cvss?.severity} /> · from{' '}
            <OrgName id={r.submitterOrgId} orgs={orgs} /> · submitted <When at={r.createdAt} withZone /> · validation:{' '}
            {r.validationState.replace(/_/g, ' ')}
            {r.caseId && (
              <>
                {' '}
                · case <Link to={`/cases/${r.caseId}`}>{r.caseId.slice(0, 8)}</Link>
              </>
            )}
          </p>
          <h2>Description</h2>
          <p className="prose">{r.description}</p>
          <h2>Provenance</h2>
          <p>
            {r.provenance.discoveryMethod.replace(/_/g, ' ')}
            {r.provenance.model && `, model ${r.provenance.model}`}
            {r.provenance.harness && `, harness ${r.provenance.harness}`}
            {r.provenance.humanReview && `, human review: ${r.provenance.humanReview}`}
          </p>
          <h2>Affected</h2>
          <ul>
            {r.affected.map((a) => (
              <li key={a.purl}>
                <code>{a.purl}</code>:{' '}
                {a.ranges.map((g) => g.events.map((e) => Object.entries(e).map(([k, v]) => `${k} ${v}`)).join(', '))}
              </li>
            ))}
          </ul>
          {r.cweIds.length + r.atlasIds.length > 0 && (
            <p>Classes: {[...r.cweIds, ...r.atlasIds, ...r.owaspLlmIds].join(', ')}</p>
          )}
          {r.cvss && (
            <p>
              CVSS: {r.cvss.score} <code>{r.cvss.vector}</code>
            </p>
          )}
          {isCoordinator(me) && <ValidationPanel reportId={r.id} onRecorded={rep.reload} />}
        </article>
      )}
    </Async>
  );
}
