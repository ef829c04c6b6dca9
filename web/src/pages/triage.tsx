/**
 * Triage pages for coordinators, over the triage API only (docs/triage.md): the clusters list, one cluster with the
 * evidence of each membership, its suggestions and corrections (split, merge), the validation panel of a report, and
 * the inbox's signal list. The API applies the access rule: a cluster shows only the reports the viewer may see.
 */
import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { type Column, DataTable, Table } from '../components/data-table';
import { ApiForm, Choice, Field, issuesFor } from '../components/form';
import { Link, navigate } from '../router';
import { Async, PageTitle, shortId, TlpBadge, useAction, useApi, When } from '../ui';

export interface Evidence {
  kind: string;
  detail: string;
  weight: number;
}

interface Membership {
  clusterId: string;
  method: string;
  score: number | null;
  matchedReportId: string | null;
  matchedAdvisoryId: string | null;
  evidence: Evidence[];
  decidedBy: string | null;
}

interface ClusterView {
  id: string;
  advisoryId: string | null;
  reports: { id: string; title: string; tlp: string; validationState: string; membership: Membership | null }[];
  suggestions: { reportId: string; candidateReportId: string; score: number; evidence: Evidence[] }[];
  corrections: {
    id: string;
    kind: 'merge' | 'split';
    from_cluster_id: string;
    to_cluster_id: string;
    report_ids: string[];
    reason: string;
    created_at: string;
  }[];
}

interface ClusterSummary {
  id: string;
  size: number;
  title: string;
  reportIds: string[];
}

const METHOD: Record<string, string> = {
  auto_attach: 'attached automatically',
  auto_suggest: 'started this cluster (with suggestions)',
  auto_new: 'started this cluster',
};

export const stateText = (s: string) => s.replace(/_/g, ' ');
const weight = (w: number) => w.toFixed(2);

/** Evidence lines as a small table: what matched, the detail, and its weight in the score. */
function EvidenceTable({ evidence, caption }: { evidence: Evidence[]; caption: string }) {
  const columns: Column<Evidence & { n: number }>[] = [
    { header: 'Kind', cell: (e) => (e.kind === 'conflict' ? 'conflict (lowers the score)' : stateText(e.kind)) },
    { header: 'Detail', cell: (e) => e.detail },
    { header: 'Weight', cell: (e) => weight(e.weight) },
  ];
  return (
    <Table
      rows={evidence.map((e, n) => ({ ...e, n }))}
      columns={columns}
      rowKey={(e) => `${e.n}`}
      caption={caption}
      empty="No evidence recorded (the first report of a cluster, or a move by a coordinator)."
    />
  );
}

/** Every cluster of two or more reports the coordinator may see (GET /api/v1/triage/clusters). */
export function ClustersPage() {
  const list = useApi<{ items: ClusterSummary[]; total: number }>('/api/v1/triage/clusters?minSize=2&limit=200');
  if (list.error)
    return (
      <Async state={list} title="Duplicate clusters">
        {() => null}
      </Async>
    );
  return (
    <>
      <PageTitle>Duplicate clusters</PageTitle>
      <p>Reports the triage pass grouped as one flaw, largest first; sizes count only the reports you may see.</p>
      <DataTable
        state={list}
        what="Loading clusters"
        caption="Clusters with two or more reports"
        rowKey={(c) => c.id}
        empty="No cluster holds two reports you may see."
        columns={[
          {
            header: 'Cluster',
            cell: (c) => <Link to={`/triage/clusters/${c.id}`}>{c.title || shortId(c.id)}</Link>,
          },
          { header: 'Reports', cell: (c) => c.size },
          { header: 'Id', cell: (c) => <code>{shortId(c.id)}</code> },
        ]}
      />
    </>
  );
}

/** A message for the next cluster page opened (a merge empties this one and opens the cluster merged into). */
let flash: string | null = null;

/** One cluster: reports with evidence, suggestions, corrections, and the split and merge controls. */
export function ClusterPage({ id }: { id: string }) {
  const view = useApi<ClusterView>(`/api/v1/triage/clusters/${encodeURIComponent(id)}`);
  const [message, setMessage] = useState<{ text: string; link?: string } | null>(() => {
    const m = flash;
    flash = null;
    return m ? { text: m } : null;
  });
  return (
    <Async state={view} what="Loading the cluster" title="Cluster" keep>
      {(c) => (
        <ClusterBody
          c={c}
          message={message}
          onChanged={(m) => {
            setMessage(m);
            view.reload();
          }}
        />
      )}
    </Async>
  );
}

function ClusterBody({
  c,
  message,
  onChanged,
}: {
  c: ClusterView;
  message: { text: string; link?: string } | null;
  onChanged: (m: { text: string; link?: string }) => void;
}) {
  const title = c.reports[0]?.title ?? shortId(c.id);
  return (
    <article>
      <p>
        <Link to="/triage/clusters">← All clusters</Link> · <Link to="/inbox">Triage inbox</Link>
      </p>
      <PageTitle>Cluster: {title}</PageTitle>
      <p className="meta">
        Cluster <code>{c.id}</code> · {c.reports.length} report(s) you may see
        {c.advisoryId && (
          <>
            {' '}
            · matches the published advisory <Link to={`/advisories/${c.advisoryId}`}>{c.advisoryId}</Link>
          </>
        )}
      </p>
      {message && (
        <p role="status" className="ok">
          {message.text}
          {message.link && (
            <>
              {' '}
              <Link to={message.link}>Open it</Link>
            </>
          )}
        </p>
      )}
      <h2>Reports and their evidence</h2>
      {c.reports.map((r) => (
        <section key={r.id} className="member" aria-labelledby={`rep-${r.id}`}>
          <h3 id={`rep-${r.id}`}>
            <Link to={`/reports/${r.id}`}>{r.title}</Link>
          </h3>
          <p className="small">
            <TlpBadge tlp={r.tlp} /> validation: {stateText(r.validationState)}
            {r.membership && (
              <>
                {' '}
                · {METHOD[r.membership.method] ?? `placed by a coordinator (${stateText(r.membership.method)})`}
                {r.membership.score !== null && <> · score {weight(r.membership.score)}</>}
                {r.membership.matchedReportId && (
                  <>
                    {' '}
                    · best match{' '}
                    <Link to={`/reports/${r.membership.matchedReportId}`}>
                      {c.reports.find((x) => x.id === r.membership?.matchedReportId)?.title ??
                        shortId(r.membership.matchedReportId)}
                    </Link>
                  </>
                )}
                {r.membership.matchedAdvisoryId && (
                  <>
                    {' '}
                    · matched advisory{' '}
                    <Link to={`/advisories/${r.membership.matchedAdvisoryId}`}>{r.membership.matchedAdvisoryId}</Link>
                  </>
                )}
              </>
            )}
          </p>
          <EvidenceTable evidence={r.membership?.evidence ?? []} caption={`Evidence for “${r.title}”`} />
        </section>
      ))}
      {c.reports.length > 1 ? (
        <SplitForm c={c} onDone={onChanged} />
      ) : (
        <section aria-labelledby="split-h">
          <h2 id="split-h">Split reports out</h2>
          <p className="empty">This cluster holds one report you may see: there is nothing to split.</p>
        </section>
      )}
      <Suggestions c={c} />
      <MergeForm c={c} />
      <Corrections c={c} />
    </article>
  );
}

function SplitForm({ c, onDone }: { c: ClusterView; onDone: (m: { text: string; link?: string }) => void }) {
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  // The confirmation replaces the button that asked for it: focus moves to its first button.
  // Cancel puts focus back on the button that asked.
  const confirmRef = useRef<HTMLButtonElement>(null);
  const askRef = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
    else if (asked.current) askRef.current?.focus();
    asked.current = confirming;
  }, [confirming]);
  const split = useAction(async () => {
    const ids = c.reports.map((r) => r.id).filter((id) => picked.has(id));
    const out = await api<ClusterView>('POST', '/api/v1/triage/split', { clusterId: c.id, reportIds: ids, reason });
    setPicked(new Set());
    setReason('');
    onDone({ text: `Moved ${ids.length} report(s) into a new cluster.`, link: `/triage/clusters/${out.id}` });
  });
  const issues = split.error ? issuesFor(split.error.issues, 'reportIds') : [];
  return (
    <section aria-labelledby="split-h">
      <h2 id="split-h">Split reports out</h2>
      <p>Move the chosen reports into a new cluster. The triage pass never puts them back with the ones that stay.</p>
      <ApiForm
        label="Split reports out"
        error={split.error}
        fieldIds={{ reportIds: 'split-reports', reason: 'split-reason' }}
        onSubmit={() => setConfirming(true)}
      >
        <fieldset
          id="split-reports"
          tabIndex={-1}
          aria-invalid={issues.length > 0}
          aria-describedby={issues.length ? 'split-reports-err' : undefined}
        >
          <legend>Reports to move</legend>
          {c.reports.map((r) => (
            <div className="field checkbox" key={r.id}>
              <input
                type="checkbox"
                id={`split-${r.id}`}
                checked={picked.has(r.id)}
                onChange={() => {
                  const next = new Set(picked);
                  if (next.has(r.id)) next.delete(r.id);
                  else next.add(r.id);
                  setPicked(next);
                  setConfirming(false);
                }}
              />
              <label htmlFor={`split-${r.id}`}>{r.title}</label>
            </div>
          ))}
          {issues.length > 0 && (
            <p className="field-error" id="split-reports-err">
              <span aria-hidden="true">⚠ </span>
              {issues.map((i) => i.message).join('; ')}
            </p>
          )}
        </fieldset>
        <Field label="Reason (kept with the correction)" id="split-reason" error={split.error} path="reason">
          {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        {!confirming ? (
          <button type="submit" ref={askRef} disabled={picked.size === 0}>
            Split the selected out…
          </button>
        ) : (
          <fieldset className="note">
            <legend>Confirm the split</legend>
            <p>
              Move {picked.size} report(s) out of this cluster into a new one? This is kept as a correction and the
              automatic pass will not merge them back.
            </p>
            <button
              type="button"
              className="primary"
              ref={confirmRef}
              disabled={split.busy}
              onClick={() => {
                setConfirming(false);
                void split.run();
              }}
            >
              Confirm split
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </fieldset>
        )}
      </ApiForm>
    </section>
  );
}

/** Clusters this one may be merged with: those of suggested candidates, and those its corrections name. */
function mergeTargets(c: ClusterView, all: ClusterSummary[]) {
  const clusterOf = new Map<string, ClusterSummary>();
  for (const k of all) for (const r of k.reportIds) clusterOf.set(r, k);
  const byId = new Map(all.map((k) => [k.id, k]));
  const out = new Map<string, { id: string; label: string }>();
  for (const s of c.suggestions) {
    const k = clusterOf.get(s.candidateReportId);
    if (k && k.id !== c.id && !out.has(k.id))
      out.set(k.id, { id: k.id, label: `suggested: ${k.title} (score ${weight(s.score)}, ${k.size} report(s))` });
  }
  for (const x of c.corrections) {
    const other = x.from_cluster_id === c.id ? x.to_cluster_id : x.from_cluster_id;
    const k = byId.get(other);
    if (k && other !== c.id && !out.has(other))
      out.set(other, {
        id: other,
        label: `${x.kind === 'split' ? (x.to_cluster_id === c.id ? 'split from' : 'split into') : 'merged with'}: ${
          k.title
        } (${k.size} report(s))`,
      });
  }
  return [...out.values()];
}

function MergeForm({ c }: { c: ClusterView }) {
  // Every cluster (size 1 too), to find the clusters of suggested reports and of past corrections.
  const all = useApi<{ items: ClusterSummary[] }>('/api/v1/triage/clusters?minSize=1&limit=1000');
  const [into, setInto] = useState('');
  const [reason, setReason] = useState('');
  const merge = useAction(async () => {
    const out = await api<ClusterView>('POST', '/api/v1/triage/merge', { into, from: c.id, reason });
    // This cluster has no report left that the coordinator may see: open the one merged into.
    flash = `Merged ${c.reports.length} report(s) into this cluster; it now holds ${out.reports.length} you may see.`;
    navigate(`/triage/clusters/${out.id}`);
  });
  const issues = merge.error
    ? [...issuesFor(merge.error.issues, 'into'), ...issuesFor(merge.error.issues, 'from')]
    : [];
  return (
    <section aria-labelledby="merge-h">
      <h2 id="merge-h">Merge with another cluster</h2>
      <Async state={all} what="Loading the clusters to merge with">
        {(d) => {
          const targets = mergeTargets(c, d.items);
          return (
            <ApiForm
              label="Merge with another cluster"
              error={merge.error}
              fieldIds={{ into: 'merge-into', from: 'merge-into', reason: 'merge-reason' }}
              onSubmit={() => void merge.run()}
            >
              <p>Move this cluster's reports into a cluster suggested for it or named in its corrections.</p>
              <Field label="Cluster to merge into" id="merge-into" issues={issues}>
                {(p) => (
                  <select {...p} value={into} onChange={(e) => setInto(e.target.value)}>
                    <option value="">
                      {targets.length === 0 ? 'no suggested cluster' : 'choose a suggested cluster'}
                    </option>
                    {targets.map((t) => (
                      <option key={t.id} value={t.id}>
                        {t.label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Reason (kept with the correction)" id="merge-reason" error={merge.error} path="reason">
                {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
              </Field>
              <button type="submit" disabled={merge.busy}>
                Merge into the chosen cluster
              </button>
            </ApiForm>
          );
        }}
      </Async>
    </section>
  );
}

function Suggestions({ c }: { c: ClusterView }) {
  const titleOf = (id: string) => c.reports.find((r) => r.id === id)?.title ?? shortId(id);
  return (
    <section aria-labelledby="sugg-h">
      <h2 id="sugg-h">Suggested candidates</h2>
      {c.suggestions.length === 0 ? (
        <p className="empty">No suggestions: no report you may see scored between the suggest and attach thresholds.</p>
      ) : (
        c.suggestions.map((s) => (
          <div key={`${s.reportId}:${s.candidateReportId}`} className="member">
            <p>
              <ReportTitle id={s.candidateReportId} /> may duplicate{' '}
              <Link to={`/reports/${s.reportId}`}>{titleOf(s.reportId)}</Link> (score {weight(s.score)})
            </p>
            <EvidenceTable
              evidence={s.evidence}
              caption={`Evidence for the suggestion ${shortId(s.candidateReportId)}`}
            />
          </div>
        ))
      )}
    </section>
  );
}

/** A report named by its title, read through the API (a report the viewer may not see keeps its short id). */
function ReportTitle({ id }: { id: string }) {
  const r = useApi<{ title: string }>(`/api/v1/reports/${encodeURIComponent(id)}`);
  return <Link to={`/reports/${id}`}>{r.data?.title ?? shortId(id)}</Link>;
}

function Corrections({ c }: { c: ClusterView }) {
  return (
    <section aria-labelledby="corr-h">
      <h2 id="corr-h">Corrections</h2>
      <Table
        rows={c.corrections}
        rowKey={(x) => x.id}
        caption="Coordinator corrections touching this cluster, oldest first"
        empty="No coordinator has corrected this cluster."
        columns={[
          { header: 'When', cell: (x) => <When at={x.created_at} /> },
          { header: 'Change', cell: (x) => x.kind },
          {
            header: 'From → to',
            cell: (x) => (
              <>
                <ClusterLink id={x.from_cluster_id} here={c.id} /> → <ClusterLink id={x.to_cluster_id} here={c.id} />
              </>
            ),
          },
          { header: 'Reports', cell: (x) => x.report_ids.length },
          { header: 'Reason', cell: (x) => x.reason || <span className="muted">none given</span> },
        ]}
      />
    </section>
  );
}

function ClusterLink({ id, here }: { id: string; here: string }) {
  if (id === here) return <span>this cluster</span>;
  return <Link to={`/triage/clusters/${id}`}>{shortId(id)}</Link>;
}

interface ValidationRecord {
  id: string;
  state: string;
  script: string | null;
  steps: string | null;
  output: string | null;
  notes: string;
  org_id: string;
  member_id: string;
  created_at: string;
}

const STATES = ['unvalidated', 'reproduced', 'could_not_reproduce', 'invalid'] as const;

/** The report's validation state with its history, and the form to record one (coordinators). */
export function ValidationPanel({ reportId, onRecorded }: { reportId: string; onRecorded?: () => void }) {
  const path = `/api/v1/triage/reports/${encodeURIComponent(reportId)}/validations`;
  const v = useApi<{ state: string; validations: ValidationRecord[] }>(path);
  const [form, setForm] = useState({ state: 'reproduced', script: '', steps: '', output: '', notes: '' });
  const [done, setDone] = useState('');
  const record = useAction(async () => {
    const body: Record<string, string> = { state: form.state, notes: form.notes };
    for (const k of ['script', 'steps', 'output'] as const) if (form[k].trim()) body[k] = form[k];
    await api('POST', path, body);
    setDone(`Recorded: ${stateText(form.state)}.`);
    setForm({ state: form.state, script: '', steps: '', output: '', notes: '' });
    v.reload();
    onRecorded?.();
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => {
    setForm({ ...form, [k]: e.target.value });
    setDone('');
  };
  return (
    <section aria-labelledby="val-h">
      <h2 id="val-h">Validation</h2>
      <Async state={v} what="Loading the validation history" keep>
        {(d) => (
          <>
            <p>
              State: <strong>{stateText(d.state)}</strong>
            </p>
            {d.validations.length === 0 ? (
              <p className="empty">No validation recorded yet.</p>
            ) : (
              <ol className="timeline" aria-label="Validation history, oldest first">
                {d.validations.map((x) => (
                  <li key={x.id}>
                    <When at={x.created_at} withZone />: <strong>{stateText(x.state)}</strong>
                    {x.notes && <> · {x.notes}</>}
                    {(['script', 'steps', 'output'] as const).map(
                      (k) =>
                        x[k] && (
                          <details key={k}>
                            <summary>
                              {k === 'script' ? 'Reproduction script' : k === 'steps' ? 'Steps' : 'Output'}
                            </summary>
                            <pre className="prose">{x[k]}</pre>
                          </details>
                        ),
                    )}
                  </li>
                ))}
              </ol>
            )}
          </>
        )}
      </Async>
      {done && (
        <p role="status" className="ok">
          {done}
        </p>
      )}
      <ApiForm
        title="Record a validation"
        error={record.error}
        fieldIds={{
          state: 'val-state',
          script: 'val-script',
          steps: 'val-steps',
          output: 'val-output',
          notes: 'val-notes',
        }}
        onSubmit={() => void record.run()}
      >
        <Field label="Outcome" id="val-state" error={record.error} path="state">
          {(p) => <Choice {...p} value={form.state} onChange={set('state')} choices={STATES} text={stateText} />}
        </Field>
        <Field
          label="Reproduction script"
          id="val-script"
          error={record.error}
          path="script"
          hint="A reproduction attempt (reproduced, could not reproduce) needs a script or steps."
        >
          {(p) => <textarea {...p} rows={5} value={form.script} onChange={set('script')} />}
        </Field>
        <Field label="Steps" id="val-steps" error={record.error} path="steps">
          {(p) => <textarea {...p} rows={4} value={form.steps} onChange={set('steps')} />}
        </Field>
        <Field label="Output" id="val-output" error={record.error} path="output">
          {(p) => <textarea {...p} rows={4} value={form.output} onChange={set('output')} />}
        </Field>
        <Field label="Notes" id="val-notes" error={record.error} path="notes">
          {(p) => <input {...p} value={form.notes} onChange={set('notes')} />}
        </Field>
        <button type="submit" className="primary" disabled={record.busy}>
          Record validation
        </button>
      </ApiForm>
    </section>
  );
}

/** One inbox row's signals: each signal's points and reason behind a disclosure whose summary names the main ones. */
export function SignalList({ signals }: { signals: { name: string; points: number; reason: string }[] }) {
  const main = [...signals]
    .filter((s) => s.points !== 0)
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
    .slice(0, 2);
  const signed = (n: number) => (n > 0 ? `+${n.toFixed(1)}` : n < 0 ? `−${Math.abs(n).toFixed(1)}` : '±0');
  return (
    <details className="signals">
      <summary>
        {signals.length} signals
        {main.length > 0 && `: ${main.map((s) => `${stateText(s.name)} ${signed(s.points)}`).join(', ')}`}
      </summary>
      <ul className="plain small">
        {signals.map((s) => (
          <li key={s.name}>
            <strong>{stateText(s.name)}</strong> {signed(s.points)}: {s.reason}
          </li>
        ))}
      </ul>
    </details>
  );
}
