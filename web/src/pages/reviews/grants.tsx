/**
 * Grants of a review window: the table (developer: accept, decline, revoke), granting and proposing, the caller's own
 * gateway keys (secret shown once) and its grant usage against the budget.
 */
import { useState } from 'react';
import { api } from '../../api';
import { type Column, DataTable, Table } from '../../components/data-table';
import { ApiForm, Choice, Field } from '../../components/form';
import { OrgName } from '../../orgs';
import type { Organisation } from '../../types';
import { Async, CopyButton, ErrorSummary, type Loaded, useAction, useApi, useFields } from '../../ui';
import { type Budget, type Grant, type Key, type ReviewWindow, words } from './types';

const GRANT_ROLES = ['government_reviewer', 'trusted_partner_reviewer', 'developer_liaison', 'observer'] as const;

export function GrantForm({
  base,
  w,
  orgs,
  onDone,
}: {
  base: string;
  w: ReviewWindow;
  orgs: Map<string, Organisation>;
  onDone: () => void;
}) {
  const gov = w.terms.filter((t) => t.audience === 'government').sort((a, b) => b.version - a.version)[0];
  const [f, setF, set] = useFields({
    org: '',
    role: 'government_reviewer',
    raw: false,
    requests: String(w.limits.maxBudget.requests),
    tokens: String(w.limits.maxBudget.tokens),
    seconds: String(w.limits.maxBudget.seconds),
  });
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
  const e = act.error;
  return (
    <ApiForm title="Grant access" error={e} onSubmit={() => void act.run()}>
      <Field label="Grantee organisation" error={e} path="granteeOrgId">
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
      <Field label="Grant role" error={e} path="role">
        {(p) => <Choice {...p} value={f.role} onChange={set('role')} choices={GRANT_ROLES} text={words} />}
      </Field>
      <p>
        <label>
          <input type="checkbox" checked={f.raw} onChange={(ev) => setF({ ...f, raw: ev.target.checked })} /> May read
          raw transcripts
        </label>
      </p>
      <Field label="Grant budget: requests" error={e} path="budget.requests">
        {(p) => <input {...p} type="number" min={1} value={f.requests} onChange={set('requests')} />}
      </Field>
      <Field label="Grant budget: tokens" error={e} path="budget.tokens">
        {(p) => <input {...p} type="number" min={1} value={f.tokens} onChange={set('tokens')} />}
      </Field>
      <Field label="Grant budget: seconds" error={e} path="budget.seconds">
        {(p) => <input {...p} type="number" min={1} value={f.seconds} onChange={set('seconds')} />}
      </Field>
      <button type="submit" disabled={act.busy || !f.org}>
        Grant
      </button>
    </ApiForm>
  );
}

export function ProposeGrantForm({
  base,
  orgs,
  onDone,
}: {
  base: string;
  orgs: Map<string, Organisation>;
  onDone: () => void;
}) {
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
    <ApiForm title="Propose a trusted partner" error={act.error} onSubmit={() => void act.run()}>
      <Field label="Partner organisation" error={act.error} path="granteeOrgId">
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
        Propose (the developer accepts or declines)
      </button>
    </ApiForm>
  );
}

export function Keys({ base, grant, gatewayURL }: { base: string; grant: Grant; gatewayURL: string }) {
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

const MEASURES: { key: keyof Budget; label: string }[] = [
  { key: 'requests', label: 'Requests' },
  { key: 'tokens', label: 'Tokens' },
  { key: 'seconds', label: 'Seconds' },
];

/** One grant's use of its budget, as the API counts it (the gateway adds to it on every call). */
export function GrantUsage({ grant, orgs }: { grant: Grant; orgs: Map<string, Organisation> }) {
  const rows = MEASURES.map((m) => ({
    ...m,
    used: grant.used[m.key],
    budget: grant.budget[m.key],
  }));
  const columns: Column<(typeof rows)[number]>[] = [
    { header: 'Measure', cell: (r) => r.label },
    { header: 'Used', cell: (r) => r.used.toLocaleString('en-US') },
    { header: 'Budget', cell: (r) => r.budget.toLocaleString('en-US') },
    {
      header: 'Left',
      cell: (r) => `${Math.max(0, r.budget - r.used).toLocaleString('en-US')} (${pct(r.used, r.budget)} used)`,
    },
  ];
  return (
    <Table
      rows={rows}
      rowKey={(r) => r.key}
      columns={columns}
      empty="No budget."
      caption={
        <>
          Usage of the {words(grant.role)} grant of {orgs.get(grant.granteeOrgId)?.name ?? grant.granteeOrgId} (
          {grant.status})
        </>
      }
    />
  );
}

const pct = (used: number, budget: number) =>
  budget > 0 ? `${Math.min(100, Math.round((used / budget) * 1000) / 10)}%` : '—';

export function GrantsTable({
  grants,
  developer,
  orgs,
  act,
}: {
  grants: Loaded<{ items: Grant[] }>;
  developer: boolean;
  orgs: Map<string, Organisation>;
  act: (path: string) => void;
}) {
  const columns: Column<Grant>[] = [
    { header: 'Grantee', cell: (x) => <OrgName id={x.granteeOrgId} orgs={orgs} /> },
    { header: 'Role', cell: (x) => words(x.role) },
    { header: 'Status', cell: (x) => x.status },
    {
      header: 'Budget used',
      cell: (x) =>
        `${x.used.requests}/${x.budget.requests} requests, ${x.used.tokens}/${x.budget.tokens} tokens, ${x.used.seconds}/${x.budget.seconds} seconds`,
    },
    {
      header: 'Action',
      cell: (x) => (
        <>
          {developer && x.status === 'proposed' && (
            <>
              <button type="button" onClick={() => act(`/grants/${x.id}/accept`)}>
                Accept
              </button>{' '}
              <button type="button" onClick={() => act(`/grants/${x.id}/decline`)}>
                Decline
              </button>
            </>
          )}
          {developer && x.status === 'active' && (
            <button type="button" onClick={() => act(`/grants/${x.id}/revoke`)}>
              Revoke
            </button>
          )}
        </>
      ),
    },
  ];
  return (
    <DataTable keep state={grants} what="Loading grants" columns={columns} rowKey={(x) => x.id} empty="No grants." />
  );
}
