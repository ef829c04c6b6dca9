import { type FormEvent, useState } from 'react';
import { api } from '../api';
import { OrgName, useOrgs } from '../orgs';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { Async, CopyButton, ErrorSummary, Field, issuesFor, PageTitle, TlpBadge, useAction, useApi, When } from '../ui';

const VARIANTS = ['production', 'reduced-safeguards', 'reasoning-visible'] as const;
const SUITES = ['cyber-knowledge', 'purplellama', 'ctf'] as const;
const FINDING_TYPES = ['capability', 'safeguard_bypass', 'prompt_injection', 'agent_vulnerability', 'other'] as const;
const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
const RESPONSES = ['acknowledged', 'disputed', 'mitigated', 'wont_fix'] as const;

interface Terms {
  id: string;
  audience: string;
  version: number;
  text: string;
  textSha256: string;
  onWithdrawal: string;
  retentionDays: number;
  tlpDefault: string;
  scope: { categories: string[]; partnersAllowed: boolean };
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
  endpoint?: { baseUrl: string; models: { variant: string; modelId: string }[]; secretStored: boolean };
  limits: { requestsPerMinute: number; maxBudget: { requests: number; tokens: number; seconds: number } };
  gateway: { baseURL: string };
  myRole: string;
  terms: Terms[];
  consents: Consent[];
}
interface Grant {
  id: string;
  granteeOrgId: string;
  role: string;
  variants: string[];
  rawTranscripts: boolean;
  status: string;
  validUntil: string | null;
  budget: { requests: number; tokens: number; seconds: number };
  used: { requests: number; tokens: number; seconds: number };
}
interface Key {
  id: string;
  prefix: string;
  label: string;
  revokedAt: string | null;
}
interface Run {
  id: string;
  suite: string;
  task: string;
  variant: string;
  reference: boolean;
  status: string;
  createdAt: string;
  error: string | null;
  results: { scorer: string; metrics: { accuracy?: { value: number }; stderr?: { value: number } } }[];
}
interface RunDetail extends Run {
  progress: { samples: number; done: number; errored: number };
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
interface Sample {
  transcript: boolean;
  sampleId: string | number;
  epoch: number;
  scores: Record<string, unknown>;
  messages?: { role: string; content: unknown }[];
  errored?: boolean;
}
interface Finding {
  id: string;
  title: string;
  type: string;
  severity: string;
  state: string;
  tlp: string;
  description?: string;
  authorMemberId?: string;
  reproducibility: { k: number; n: number };
  response: { value: string; note: string } | null;
}

const text = (c: unknown) =>
  typeof c === 'string'
    ? c
    : Array.isArray(c)
      ? c.map((p) => (typeof p === 'object' && p && 'text' in p ? String(p.text) : JSON.stringify(p))).join('\n')
      : JSON.stringify(c);

const accuracyOf = (r: Run) =>
  r.results
    .filter((s) => s.metrics.accuracy)
    .map(
      (s) =>
        `${s.scorer} ${s.metrics.accuracy!.value.toFixed(3)}${s.metrics.stderr ? ` ± ${s.metrics.stderr.value.toFixed(3)}` : ''}`,
    )
    .join('; ');

function OfferForm() {
  const [f, setF] = useState({
    modelName: '',
    snapshotId: '',
    trustedPartnerDate: '',
    publicDate: '',
    baseUrl: '',
    apiKey: '',
    rpm: '60',
    requests: '1000',
    tokens: '1000000',
    seconds: '3600',
  });
  const [models, setModels] = useState<Record<string, string>>({});
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const act = useAction(async () => {
    const created = await api<{ id: string }>('POST', '/api/v1/reviews/windows', {
      modelName: f.modelName,
      snapshotId: f.snapshotId,
      trustedPartnerDate: f.trustedPartnerDate,
      ...(f.publicDate ? { publicDate: f.publicDate } : {}),
      endpoint: {
        baseUrl: f.baseUrl,
        apiKey: f.apiKey,
        variants: VARIANTS.filter((v) => models[v]?.trim()).map((v) => ({ variant: v, modelId: models[v]!.trim() })),
      },
      limits: {
        requestsPerMinute: Number(f.rpm),
        maxBudget: { requests: Number(f.requests), tokens: Number(f.tokens), seconds: Number(f.seconds) },
      },
    });
    navigate(`/reviews/${created.id}`);
  });
  const issues = act.error?.issues ?? [];
  const ids = {
    modelName: 'of-model',
    snapshotId: 'of-snapshot',
    trustedPartnerDate: 'of-tpd',
    publicDate: 'of-public',
    'endpoint.baseUrl': 'of-base',
    'endpoint.apiKey': 'of-key',
    'endpoint.variants': 'of-v-production',
    'limits.requestsPerMinute': 'of-rpm',
    'limits.maxBudget': 'of-requests',
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act.run();
  };
  return (
    <section aria-labelledby="offer">
      <h2 id="offer">Offer a model for review</h2>
      <form onSubmit={submit} noValidate>
        <ErrorSummary error={act.error} fieldIds={ids} />
        <Field label="Model name" id={ids.modelName} issues={issuesFor(issues, 'modelName')}>
          {(p) => <input {...p} value={f.modelName} onChange={set('modelName')} />}
        </Field>
        <Field label="Snapshot" id={ids.snapshotId} issues={issuesFor(issues, 'snapshotId')}>
          {(p) => <input {...p} value={f.snapshotId} onChange={set('snapshotId')} />}
        </Field>
        <Field
          label="Trusted-partner date"
          id={ids.trustedPartnerDate}
          hint="The window closes by this date (at most 30 days after it opens)."
          issues={issuesFor(issues, 'trustedPartnerDate')}
        >
          {(p) => <input {...p} type="date" value={f.trustedPartnerDate} onChange={set('trustedPartnerDate')} />}
        </Field>
        <Field label="Public release date (optional)" id={ids.publicDate} issues={issuesFor(issues, 'publicDate')}>
          {(p) => <input {...p} type="date" value={f.publicDate} onChange={set('publicDate')} />}
        </Field>
        <fieldset>
          <legend>Endpoint</legend>
          <Field
            label="Endpoint base URL"
            id={ids['endpoint.baseUrl']}
            hint="OpenAI-compatible, e.g. https://models.example/v1"
            issues={issuesFor(issues, 'endpoint.baseUrl')}
          >
            {(p) => <input {...p} type="url" value={f.baseUrl} onChange={set('baseUrl')} />}
          </Field>
          <Field
            label="Endpoint secret"
            id={ids['endpoint.apiKey']}
            hint="Write-only: stored encrypted and never shown again, to anyone."
            issues={issuesFor(issues, 'endpoint.apiKey')}
          >
            {(p) => <input {...p} type="password" autoComplete="off" value={f.apiKey} onChange={set('apiKey')} />}
          </Field>
          {VARIANTS.map((v) => (
            <Field
              key={v}
              label={`Model id for the ${v} variant`}
              id={`of-v-${v}`}
              hint={v === 'production' ? 'Leave a variant empty to not offer it.' : undefined}
              issues={v === 'production' ? issuesFor(issues, 'endpoint.variants') : []}
            >
              {(p) => (
                <input {...p} value={models[v] ?? ''} onChange={(e) => setModels({ ...models, [v]: e.target.value })} />
              )}
            </Field>
          ))}
        </fieldset>
        <fieldset>
          <legend>Budgets</legend>
          <Field
            label="Requests per minute per grant"
            id={ids['limits.requestsPerMinute']}
            issues={issuesFor(issues, 'limits.requestsPerMinute')}
          >
            {(p) => <input {...p} type="number" min={1} value={f.rpm} onChange={set('rpm')} />}
          </Field>
          <Field
            label="Largest budget per grant: requests"
            id="of-requests"
            issues={issuesFor(issues, 'limits.maxBudget.requests')}
          >
            {(p) => <input {...p} type="number" min={1} value={f.requests} onChange={set('requests')} />}
          </Field>
          <Field
            label="Largest budget per grant: tokens"
            id="of-tokens"
            issues={issuesFor(issues, 'limits.maxBudget.tokens')}
          >
            {(p) => <input {...p} type="number" min={1} value={f.tokens} onChange={set('tokens')} />}
          </Field>
          <Field
            label="Largest budget per grant: seconds"
            id="of-seconds"
            issues={issuesFor(issues, 'limits.maxBudget.seconds')}
          >
            {(p) => <input {...p} type="number" min={1} value={f.seconds} onChange={set('seconds')} />}
          </Field>
        </fieldset>
        <button type="submit" disabled={act.busy}>
          Create the window (draft)
        </button>
      </form>
    </section>
  );
}

export function ReviewsPage() {
  const list = useApi<{ items: ReviewWindow[] }>('/api/v1/reviews/windows');
  const orgs = useOrgs();
  const { me } = useSession();
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
      {me?.orgKind === 'ai_developer' && <OfferForm />}
    </>
  );
}

function RunDetailView({ windowId, runId }: { windowId: string; runId: string }) {
  const base = `/api/v1/reviews/windows/${windowId}/runs/${runId}`;
  const run = useApi<RunDetail>(base);
  const [showSamples, setShowSamples] = useState(false);
  const samples = useApi<{ transcripts: boolean; items: Sample[] }>(showSamples ? `${base}/samples` : null);
  return (
    <section aria-labelledby="run-detail" className="panel">
      <h3 id="run-detail">Run {runId.slice(0, 8)}</h3>
      <Async state={run} what="Loading the run">
        {(r) => (
          <>
            <p>
              {r.suite} / {r.task}, {r.variant}: <strong>{r.status}</strong>, {r.progress.done} of {r.progress.samples}{' '}
              samples done ({r.progress.errored} errored){r.error ? `; error: ${r.error}` : ''}.{' '}
              <button type="button" onClick={() => run.reload()}>
                Refresh
              </button>
            </p>
            <p>Scores: {accuracyOf(r) || '—'}</p>
            {r.comparison ? (
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
              <p>No reference run of this task to compare with.</p>
            )}
          </>
        )}
      </Async>
      <button type="button" aria-expanded={showSamples} onClick={() => setShowSamples(!showSamples)}>
        {showSamples ? 'Hide samples' : 'Show samples'}
      </button>
      {showSamples && (
        <Async state={samples} what="Loading samples">
          {(s) => (
            <>
              <p>
                {s.transcripts
                  ? 'Whole transcripts (your grant has the raw-transcript scope; this reading is audited).'
                  : 'Scores and usage only: transcripts need the raw-transcript scope.'}
              </p>
              <ol className="samples">
                {s.items.map((x) => (
                  <li key={`${x.sampleId}-${x.epoch}`}>
                    <p>
                      Sample {String(x.sampleId)}, epoch {x.epoch}: {JSON.stringify(x.scores)}
                    </p>
                    {x.messages && (
                      <dl>
                        {x.messages.map((m, i) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: messages have no id and never reorder
                          <div key={i}>
                            <dt>{m.role}</dt>
                            <dd>
                              <pre>{text(m.content).slice(0, 4000)}</pre>
                            </dd>
                          </div>
                        ))}
                      </dl>
                    )}
                  </li>
                ))}
              </ol>
            </>
          )}
        </Async>
      )}
    </section>
  );
}

function StartRunForm({ base, grants, onStarted }: { base: string; grants: Grant[]; onStarted: () => void }) {
  const [suite, setSuite] = useState<string>('cyber-knowledge');
  const [variant, setVariant] = useState<string>(grants[0]?.variants[0] ?? 'production');
  const [limit, setLimit] = useState('');
  const [reference, setReference] = useState(false);
  const act = useAction(async () => {
    await api('POST', `${base}/runs`, {
      suite,
      variant,
      ...(limit ? { limit: Number(limit) } : {}),
      reference,
      ...(grants.length === 1 ? { grantId: grants[0]!.id } : {}),
    });
    onStarted();
  });
  const issues = act.error?.issues ?? [];
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void act.run();
      }}
      noValidate
    >
      <h3>Start a run</h3>
      <ErrorSummary error={act.error} />
      <Field label="Suite or task" issues={issuesFor(issues, 'suite')} hint="A suite, or one task id of it">
        {(p) => <input {...p} list="suites" value={suite} onChange={(e) => setSuite(e.target.value)} />}
      </Field>
      <datalist id="suites">
        {SUITES.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <Field label="Variant" issues={issuesFor(issues, 'variant')}>
        {(p) => (
          <select {...p} value={variant} onChange={(e) => setVariant(e.target.value)}>
            {[...new Set(grants.flatMap((g) => g.variants))].map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Samples per task (optional)" issues={issuesFor(issues, 'limit')}>
        {(p) => <input {...p} type="number" min={1} value={limit} onChange={(e) => setLimit(e.target.value)} />}
      </Field>
      <p>
        <label>
          <input type="checkbox" checked={reference} onChange={(e) => setReference(e.target.checked)} /> Reference run
          (other runs of the same task are compared with it)
        </label>
      </p>
      <button type="submit" disabled={act.busy}>
        Start run
      </button>
    </form>
  );
}

function FindingForm({ base, runs, onCreated }: { base: string; runs: Run[]; onCreated: () => void }) {
  const [f, setF] = useState({
    title: '',
    type: 'capability',
    severity: 'medium',
    description: '',
    runId: runs[0]?.id ?? '',
    k: '1',
    n: '1',
    atlas: '',
    tlp: 'AMBER',
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const act = useAction(async () => {
    await api('POST', `${base}/findings`, {
      title: f.title,
      type: f.type,
      severity: f.severity,
      description: f.description,
      evidence: f.runId ? [{ runId: f.runId }] : [],
      reproducibility: { k: Number(f.k), n: Number(f.n) },
      atlasIds: f.atlas
        .split(/[\s,]+/)
        .map((x) => x.trim())
        .filter(Boolean),
      tlp: f.tlp,
    });
    setF({ ...f, title: '', description: '' });
    onCreated();
  });
  const issues = act.error?.issues ?? [];
  const ids = {
    title: 'fi-title',
    description: 'fi-desc',
    evidence: 'fi-run',
    reproducibility: 'fi-k',
    atlasIds: 'fi-atlas',
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void act.run();
      }}
      noValidate
    >
      <h3>File a finding</h3>
      <ErrorSummary error={act.error} fieldIds={ids} />
      <Field label="Finding title" id={ids.title} issues={issuesFor(issues, 'title')}>
        {(p) => <input {...p} value={f.title} onChange={set('title')} />}
      </Field>
      <Field label="Type" issues={issuesFor(issues, 'type')}>
        {(p) => (
          <select {...p} value={f.type} onChange={set('type')}>
            {FINDING_TYPES.map((t) => (
              <option key={t} value={t}>
                {t.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Severity" issues={issuesFor(issues, 'severity')}>
        {(p) => (
          <select {...p} value={f.severity} onChange={set('severity')}>
            {SEVERITIES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Finding description" id={ids.description} issues={issuesFor(issues, 'description')}>
        {(p) => <textarea {...p} rows={4} value={f.description} onChange={set('description')} />}
      </Field>
      <Field label="Evidence run" id={ids.evidence} issues={issuesFor(issues, 'evidence')}>
        {(p) => (
          <select {...p} value={f.runId} onChange={set('runId')}>
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.task} ({r.variant}, {r.id.slice(0, 8)})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Reproduced (k)" id={ids.reproducibility} issues={issuesFor(issues, 'reproducibility')}>
        {(p) => <input {...p} type="number" min={0} value={f.k} onChange={set('k')} />}
      </Field>
      <Field label="Attempts (n)">
        {(p) => <input {...p} type="number" min={1} value={f.n} onChange={set('n')} />}
      </Field>
      <Field
        label="ATLAS technique ids (optional)"
        id={ids.atlasIds}
        hint="e.g. AML.T0051"
        issues={issuesFor(issues, 'atlasIds')}
      >
        {(p) => <input {...p} value={f.atlas} onChange={set('atlas')} />}
      </Field>
      <Field label="Finding marking (TLP)" issues={issuesFor(issues, 'tlp')}>
        {(p) => (
          <select {...p} value={f.tlp} onChange={set('tlp')}>
            {['RED', 'AMBER+STRICT', 'AMBER', 'GREEN', 'CLEAR'].map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" disabled={act.busy}>
        File finding (draft)
      </button>
    </form>
  );
}

function TermsForm({ base, onAdded }: { base: string; onAdded: () => void }) {
  const [f, setF] = useState({
    audience: 'government',
    text: '',
    confidentiality: 'Findings stay between the developer, the reviewers and the coordinator until published.',
    categories: 'cyber_knowledge, prompt_injection, ctf',
    retentionDays: '365',
    onWithdrawal: 'keep',
    tlpDefault: 'AMBER',
    partnersAllowed: true,
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const act = useAction(async () => {
    await api('POST', `${base}/terms`, {
      audience: f.audience,
      scope: {
        categories: f.categories
          .split(/[\s,]+/)
          .map((x) => x.trim())
          .filter(Boolean),
        partnersAllowed: f.partnersAllowed,
      },
      confidentiality: f.confidentiality,
      retentionDays: Number(f.retentionDays),
      onWithdrawal: f.onWithdrawal,
      tlpDefault: f.tlpDefault,
      text: f.text,
    });
    setF({ ...f, text: '' });
    onAdded();
  });
  const issues = act.error?.issues ?? [];
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void act.run();
      }}
      noValidate
    >
      <h3>Add a version of the terms</h3>
      <ErrorSummary error={act.error} />
      <Field label="Audience" issues={issuesFor(issues, 'audience')}>
        {(p) => (
          <select {...p} value={f.audience} onChange={set('audience')}>
            <option value="government">government</option>
            <option value="trusted_partner">trusted partner</option>
          </select>
        )}
      </Field>
      <Field
        label="Terms text"
        issues={issuesFor(issues, 'text')}
        hint="Signers consent to the SHA-256 of this exact text."
      >
        {(p) => <textarea {...p} rows={5} value={f.text} onChange={set('text')} />}
      </Field>
      <Field label="Confidentiality" issues={issuesFor(issues, 'confidentiality')}>
        {(p) => <input {...p} value={f.confidentiality} onChange={set('confidentiality')} />}
      </Field>
      <Field label="Categories in scope" issues={issuesFor(issues, 'scope.categories')}>
        {(p) => <input {...p} value={f.categories} onChange={set('categories')} />}
      </Field>
      <Field label="Retention (days)" issues={issuesFor(issues, 'retentionDays')}>
        {(p) => <input {...p} type="number" min={0} value={f.retentionDays} onChange={set('retentionDays')} />}
      </Field>
      <Field label="On withdrawal" issues={issuesFor(issues, 'onWithdrawal')}>
        {(p) => (
          <select {...p} value={f.onWithdrawal} onChange={set('onWithdrawal')}>
            <option value="keep">keep for the retention period</option>
            <option value="purge">purge at once</option>
          </select>
        )}
      </Field>
      <p>
        <label>
          <input
            type="checkbox"
            checked={f.partnersAllowed}
            onChange={(e) => setF({ ...f, partnersAllowed: e.target.checked })}
          />{' '}
          Trusted partners may be proposed
        </label>
      </p>
      <button type="submit" disabled={act.busy}>
        Add terms
      </button>
    </form>
  );
}

function ProposeGrantForm({ base, onDone }: { base: string; onDone: () => void }) {
  const orgs = useOrgs();
  const [org, setOrg] = useState('');
  const act = useAction(async () => {
    await api('POST', `${base}/grants`, {
      granteeOrgId: org,
      role: 'trusted_partner_reviewer',
      variants: ['production'],
      categories: ['cyber_knowledge'],
      rawTranscripts: false,
      budget: { requests: 100, tokens: 100_000, seconds: 600 },
    });
    onDone();
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void act.run();
      }}
    >
      <h3>Propose a trusted partner</h3>
      <ErrorSummary error={act.error} />
      <Field label="Partner organisation" issues={issuesFor(act.error?.issues ?? [], 'granteeOrgId')}>
        {(p) => (
          <select {...p} value={org} onChange={(e) => setOrg(e.target.value)}>
            <option value="">Choose…</option>
            {[...orgs.values()].map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" disabled={act.busy || !org}>
        Propose (the developer approves)
      </button>
    </form>
  );
}

function GrantForm({ base, w, onDone }: { base: string; w: ReviewWindow; onDone: () => void }) {
  const orgs = useOrgs();
  const gov = w.terms.filter((t) => t.audience === 'government').sort((a, b) => b.version - a.version)[0];
  const [f, setF] = useState({
    org: '',
    role: 'government_reviewer',
    raw: false,
    requests: String(w.limits.maxBudget.requests),
    tokens: String(w.limits.maxBudget.tokens),
    seconds: String(w.limits.maxBudget.seconds),
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const act = useAction(async () => {
    await api('POST', `${base}/grants`, {
      granteeOrgId: f.org,
      role: f.role,
      variants: w.variants,
      categories: gov?.scope.categories ?? ['cyber_knowledge'],
      rawTranscripts: f.raw,
      budget: { requests: Number(f.requests), tokens: Number(f.tokens), seconds: Number(f.seconds) },
    });
    onDone();
  });
  const issues = act.error?.issues ?? [];
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void act.run();
      }}
      noValidate
    >
      <h3>Grant access</h3>
      <ErrorSummary error={act.error} />
      <Field label="Grantee organisation" issues={issuesFor(issues, 'granteeOrgId')}>
        {(p) => (
          <select {...p} value={f.org} onChange={set('org')}>
            <option value="">Choose…</option>
            {[...orgs.values()]
              .filter((o) => o.id !== w.developerOrgId)
              .map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
          </select>
        )}
      </Field>
      <Field label="Grant role" issues={issuesFor(issues, 'role')}>
        {(p) => (
          <select {...p} value={f.role} onChange={set('role')}>
            {['government_reviewer', 'trusted_partner_reviewer', 'developer_liaison', 'observer'].map((r) => (
              <option key={r} value={r}>
                {r.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        )}
      </Field>
      <p>
        <label>
          <input type="checkbox" checked={f.raw} onChange={(e) => setF({ ...f, raw: e.target.checked })} /> May read raw
          transcripts
        </label>
      </p>
      <Field label="Grant budget: requests" issues={issuesFor(issues, 'budget.requests')}>
        {(p) => <input {...p} type="number" min={1} value={f.requests} onChange={set('requests')} />}
      </Field>
      <Field label="Grant budget: tokens" issues={issuesFor(issues, 'budget.tokens')}>
        {(p) => <input {...p} type="number" min={1} value={f.tokens} onChange={set('tokens')} />}
      </Field>
      <Field label="Grant budget: seconds" issues={issuesFor(issues, 'budget.seconds')}>
        {(p) => <input {...p} type="number" min={1} value={f.seconds} onChange={set('seconds')} />}
      </Field>
      <button type="submit" disabled={act.busy || !f.org}>
        Grant
      </button>
    </form>
  );
}

function Keys({ base, grant, gatewayURL }: { base: string; grant: Grant; gatewayURL: string }) {
  const keys = useApi<{ items: Key[] }>(`${base}/grants/${grant.id}/keys`);
  const [secret, setSecret] = useState<string | null>(null);
  const act = useAction(async () => {
    const k = await api<{ secret: string }>('POST', `${base}/grants/${grant.id}/keys`, { label: 'portal' });
    setSecret(k.secret);
    keys.reload();
  });
  return (
    <div>
      <h3>Gateway keys of your grant</h3>
      <ErrorSummary error={act.error} />
      {secret && (
        <div className="secret" role="status">
          <p>
            The key, shown this once (gateway <code>{gatewayURL}</code>): <code>{secret}</code>{' '}
            <CopyButton text={secret} />
          </p>
        </div>
      )}
      <Async state={keys} what="Loading keys">
        {(k) => (
          <ul>
            {k.items.map((x) => (
              <li key={x.id}>
                {x.label} <code>{x.prefix}…</code> {x.revokedAt ? '(revoked)' : ''}
              </li>
            ))}
            {k.items.length === 0 && <li>No keys yet.</li>}
          </ul>
        )}
      </Async>
      <button type="button" onClick={() => void act.run()} disabled={act.busy || grant.status !== 'active'}>
        Create a gateway key
      </button>
    </div>
  );
}

function Respond({ base, finding, onDone }: { base: string; finding: Finding; onDone: () => void }) {
  const [value, setValue] = useState<string>('acknowledged');
  const [note, setNote] = useState('');
  const act = useAction(async () => {
    await api('POST', `${base}/findings/${finding.id}/response`, { response: value, note });
    onDone();
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void act.run();
      }}
    >
      <ErrorSummary error={act.error} />
      <Field label={`Response to ${finding.title}`}>
        {(p) => (
          <select {...p} value={value} onChange={(e) => setValue(e.target.value)}>
            {RESPONSES.map((r) => (
              <option key={r} value={r}>
                {r.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={`Note on ${finding.title}`}>
        {(p) => <textarea {...p} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
      <button type="submit" disabled={act.busy}>
        Send response
      </button>
    </form>
  );
}

export function ReviewPage({ id }: { id: string }) {
  const base = `/api/v1/reviews/windows/${id}`;
  const { me } = useSession();
  const win = useApi<ReviewWindow>(base);
  const grants = useApi<{ items: Grant[] }>(`${base}/grants`);
  const runs = useApi<{ items: Run[] }>(`${base}/runs`);
  const findings = useApi<{ items: Finding[] }>(`${base}/findings`);
  const orgs = useOrgs();
  const [openRun, setOpenRun] = useState<string | null>(null);
  const [showTerms, setShowTerms] = useState<string | null>(null);
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
    <Async state={win} what="Loading the review window" title="Review window">
      {(w) => {
        const developer = w.myRole === 'developer';
        const mine = (grants.data?.items ?? []).filter((g) => g.granteeOrgId === me?.orgId && g.status === 'active');
        const reviewer = mine.length > 0;
        const government = mine.some((g) => g.role === 'government_reviewer');
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
            <section aria-labelledby="terms">
              <h2 id="terms">Terms and consents</h2>
              {w.terms.length === 0 && <p>No terms yet.</p>}
              <ul className="plain">
                {w.terms.map((t) => {
                  const signers = w.consents.filter((c) => c.termsId === t.id);
                  const signedByMe = signers.some((c) => c.signerOrgId === me?.orgId);
                  const canSign =
                    !signedByMe &&
                    ((developer && t.audience === 'government') ||
                      (!developer && t.audience === 'trusted_partner' && reviewer));
                  return (
                    <li key={t.id}>
                      <p>
                        {t.audience.replace(/_/g, ' ')} terms v{t.version} (retention {t.retentionDays} days; on
                        withdrawal: {t.onWithdrawal}; default {t.tlpDefault}); SHA-256{' '}
                        <code className="hash">{t.textSha256}</code>; signed by{' '}
                        {signers.map((c) => orgs.get(c.signerOrgId)?.name ?? c.party).join(', ') || 'nobody yet'}
                      </p>
                      <button
                        type="button"
                        aria-expanded={showTerms === t.id}
                        onClick={() => setShowTerms(showTerms === t.id ? null : t.id)}
                      >
                        {showTerms === t.id ? 'Hide' : 'Read'} the text of v{t.version}
                      </button>{' '}
                      {canSign && (
                        <button
                          type="button"
                          onClick={() => void act.run('/consents', { termsId: t.id, termsSha256: t.textSha256 })}
                        >
                          Sign {t.audience.replace(/_/g, ' ')} terms v{t.version}
                        </button>
                      )}
                      {showTerms === t.id && <pre className="terms-text">{t.text}</pre>}
                    </li>
                  );
                })}
              </ul>
              {developer && w.state === 'draft' && <TermsForm base={base} onAdded={reloadAll} />}
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
              {developer && (w.state === 'offered' || w.state === 'open') && (
                <GrantForm base={base} w={w} onDone={reloadAll} />
              )}
              {government && w.state === 'open' && <ProposeGrantForm base={base} onDone={reloadAll} />}
              {mine.map((g) => (
                <Keys key={g.id} base={base} grant={g} gatewayURL={w.gateway.baseURL} />
              ))}
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
                          <th scope="col">Details</th>
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
                            <td>{accuracyOf(x) || '—'}</td>
                            <td>
                              <button
                                type="button"
                                aria-expanded={openRun === x.id}
                                aria-label={`Details of ${x.task} (${x.variant})`}
                                onClick={() => setOpenRun(openRun === x.id ? null : x.id)}
                              >
                                Details
                              </button>
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )
                }
              </Async>
              <p>
                <button type="button" onClick={() => runs.reload()}>
                  Refresh runs
                </button>
              </p>
              {openRun && <RunDetailView key={openRun} windowId={id} runId={openRun} />}
              {reviewer && w.state === 'open' && (
                <StartRunForm base={base} grants={mine} onStarted={() => runs.reload()} />
              )}
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
                            <td>
                              {x.state}
                              {reviewer && x.state === 'draft' && x.authorMemberId !== me?.memberId && (
                                <>
                                  {' '}
                                  <button type="button" onClick={() => void act.run(`/findings/${x.id}/validate`, {})}>
                                    Validate
                                  </button>
                                </>
                              )}
                              {reviewer && x.state === 'validated' && (
                                <>
                                  {' '}
                                  <button type="button" onClick={() => void act.run(`/findings/${x.id}/share`)}>
                                    Share with the developer
                                  </button>
                                </>
                              )}
                            </td>
                            <td>
                              {x.reproducibility.k} of {x.reproducibility.n}
                            </td>
                            <td>
                              {x.response ? (
                                `${x.response.value.replace(/_/g, ' ')}${x.response.note ? `: ${x.response.note}` : ''}`
                              ) : developer && x.state === 'shared' ? (
                                <Respond base={base} finding={x} onDone={reloadAll} />
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
              {reviewer && (w.state === 'open' || w.state === 'closed') && (runs.data?.items.length ?? 0) > 0 && (
                <FindingForm base={base} runs={runs.data!.items} onCreated={() => findings.reload()} />
              )}
            </section>
          </article>
        );
      }}
    </Async>
  );
}
