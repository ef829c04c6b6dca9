/** Review windows: the list of windows the member takes part in, and the developer's offer form. */
import { useState } from 'react';
import { api } from '../api';
import { type Column, DataTable } from '../components/data-table';
import { ApiForm, Field } from '../components/form';
import { OrgName, useOrgs } from '../orgs';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { PageTitle, useAction, useApi, useFields, When } from '../ui';
import { type ReviewWindow, VARIANTS } from './reviews/types';

export { ReviewPage } from './reviews/window';

function OfferForm() {
  const [f, , set] = useFields({
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
  const e = act.error;
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
  return (
    <section aria-labelledby="offer">
      <h2 id="offer">Offer a model for review</h2>
      <ApiForm error={e} fieldIds={ids} onSubmit={() => void act.run()}>
        <Field label="Model name" id={ids.modelName} error={e} path="modelName">
          {(p) => <input {...p} value={f.modelName} onChange={set('modelName')} />}
        </Field>
        <Field label="Snapshot" id={ids.snapshotId} error={e} path="snapshotId">
          {(p) => <input {...p} value={f.snapshotId} onChange={set('snapshotId')} />}
        </Field>
        <Field
          label="Trusted-partner date"
          id={ids.trustedPartnerDate}
          hint="The window closes by this date (at most 30 days after it opens)."
          error={e}
          path="trustedPartnerDate"
        >
          {(p) => <input {...p} type="date" value={f.trustedPartnerDate} onChange={set('trustedPartnerDate')} />}
        </Field>
        <Field label="Public release date (optional)" id={ids.publicDate} error={e} path="publicDate">
          {(p) => <input {...p} type="date" value={f.publicDate} onChange={set('publicDate')} />}
        </Field>
        <fieldset>
          <legend>Endpoint</legend>
          <Field
            label="Endpoint base URL"
            id={ids['endpoint.baseUrl']}
            hint="OpenAI-compatible, e.g. https://models.example/v1"
            error={e}
            path="endpoint.baseUrl"
          >
            {(p) => <input {...p} type="url" value={f.baseUrl} onChange={set('baseUrl')} />}
          </Field>
          <Field
            label="Endpoint secret"
            id={ids['endpoint.apiKey']}
            hint="Write-only: stored encrypted and never shown again, to anyone."
            error={e}
            path="endpoint.apiKey"
          >
            {(p) => <input {...p} type="password" autoComplete="off" value={f.apiKey} onChange={set('apiKey')} />}
          </Field>
          {VARIANTS.map((v) => (
            <Field
              key={v}
              label={`Model id for the ${v} variant`}
              id={`of-v-${v}`}
              hint={v === 'production' ? 'Leave a variant empty to not offer it.' : undefined}
              error={v === 'production' ? e : null}
              path="endpoint.variants"
            >
              {(p) => (
                <input
                  {...p}
                  value={models[v] ?? ''}
                  onChange={(ev) => setModels({ ...models, [v]: ev.target.value })}
                />
              )}
            </Field>
          ))}
        </fieldset>
        <fieldset>
          <legend>Budgets</legend>
          <Field
            label="Requests per minute per grant"
            id={ids['limits.requestsPerMinute']}
            error={e}
            path="limits.requestsPerMinute"
          >
            {(p) => <input {...p} type="number" min={1} value={f.rpm} onChange={set('rpm')} />}
          </Field>
          <Field label="Largest budget per grant: requests" id="of-requests" error={e} path="limits.maxBudget.requests">
            {(p) => <input {...p} type="number" min={1} value={f.requests} onChange={set('requests')} />}
          </Field>
          <Field label="Largest budget per grant: tokens" id="of-tokens" error={e} path="limits.maxBudget.tokens">
            {(p) => <input {...p} type="number" min={1} value={f.tokens} onChange={set('tokens')} />}
          </Field>
          <Field label="Largest budget per grant: seconds" id="of-seconds" error={e} path="limits.maxBudget.seconds">
            {(p) => <input {...p} type="number" min={1} value={f.seconds} onChange={set('seconds')} />}
          </Field>
        </fieldset>
        <button type="submit" disabled={act.busy}>
          Create the window (draft)
        </button>
      </ApiForm>
    </section>
  );
}

export function ReviewsPage() {
  const list = useApi<{ items: ReviewWindow[] }>('/api/v1/reviews/windows');
  const orgs = useOrgs();
  const { me } = useSession();
  const columns: Column<ReviewWindow>[] = [
    {
      header: 'Model',
      cell: (w) => (
        <Link to={`/reviews/${w.id}`}>
          {w.modelName} ({w.snapshotId})
        </Link>
      ),
    },
    { header: 'Developer', cell: (w) => <OrgName id={w.developerOrgId} orgs={orgs} /> },
    { header: 'State', cell: (w) => w.state },
    { header: 'Closes', cell: (w) => <When at={w.closesAt ?? w.trustedPartnerDate} withZone /> },
    { header: 'Covered status', cell: (w) => w.covered.status.replace(/_/g, ' ') },
    { header: 'Your role', cell: (w) => w.myRole },
  ];
  return (
    <>
      <PageTitle>Review windows</PageTitle>
      <p>Pre-release model reviews you take part in: as the developer, as a grantee, or as coordinator.</p>
      <DataTable
        state={list}
        what="Loading review windows"
        columns={columns}
        rowKey={(w) => w.id}
        empty="No review windows."
      />
      {me?.orgKind === 'ai_developer' && <OfferForm />}
    </>
  );
}
