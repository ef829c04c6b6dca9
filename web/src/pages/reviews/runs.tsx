/** Runs of a review window: the table, one run's scores with its reference comparison and samples, starting a run. */
import { useState } from 'react';
import { api } from '../../api';
import { type Column, DataTable, Table } from '../../components/data-table';
import { ApiForm, Choice, Field } from '../../components/form';
import { Async, type Loaded, useAction, useApi } from '../../ui';
import { type Grant, type Run, type RunDetail, type Sample, SUITES } from './types';

const text = (c: unknown) =>
  typeof c === 'string'
    ? c
    : Array.isArray(c)
      ? c.map((p) => (typeof p === 'object' && p && 'text' in p ? String(p.text) : JSON.stringify(p))).join('\n')
      : JSON.stringify(c);

export const accuracyOf = (r: Run) =>
  r.results
    .filter((s) => s.metrics.accuracy)
    .map(
      (s) =>
        `${s.scorer} ${s.metrics.accuracy!.value.toFixed(3)}${s.metrics.stderr ? ` ± ${s.metrics.stderr.value.toFixed(3)}` : ''}`,
    )
    .join('; ');

type Comparison = NonNullable<RunDetail['comparison']>['scores'][number];
const comparisonColumns: Column<Comparison>[] = [
  { header: 'Scorer', cell: (c) => c.scorer },
  { header: 'Accuracy', cell: (c) => c.accuracy.toFixed(3) },
  { header: 'Reference', cell: (c) => c.referenceAccuracy.toFixed(3) },
  {
    header: 'Difference (95% CI)',
    cell: (c) =>
      `${c.difference >= 0 ? '+' : ''}${c.difference.toFixed(3)} (${c.ci95[0].toFixed(3)} to ${c.ci95[1].toFixed(3)})`,
  },
];

export function RunDetailView({ windowId, runId }: { windowId: string; runId: string }) {
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
              <Table
                rows={r.comparison.scores}
                rowKey={(c) => c.scorer}
                columns={comparisonColumns}
                caption={`Compared with reference run ${r.comparison.referenceRunId.slice(0, 8)}`}
                empty="No scores to compare."
              />
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

export function StartRunForm({ base, grants, onStarted }: { base: string; grants: Grant[]; onStarted: () => void }) {
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
  const e = act.error;
  return (
    <ApiForm title="Start a run" error={e} onSubmit={() => void act.run()}>
      <Field label="Suite or task" error={e} path="suite" hint="A suite, or one task id of it">
        {(p) => <input {...p} list="suites" value={suite} onChange={(ev) => setSuite(ev.target.value)} />}
      </Field>
      <datalist id="suites">
        {SUITES.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <Field label="Variant" error={e} path="variant">
        {(p) => (
          <Choice
            {...p}
            value={variant}
            onChange={(ev) => setVariant(ev.target.value)}
            choices={[...new Set(grants.flatMap((g) => g.variants))]}
          />
        )}
      </Field>
      <Field label="Samples per task (optional)" error={e} path="limit">
        {(p) => <input {...p} type="number" min={1} value={limit} onChange={(ev) => setLimit(ev.target.value)} />}
      </Field>
      <p>
        <label>
          <input type="checkbox" checked={reference} onChange={(ev) => setReference(ev.target.checked)} /> Reference run
          (other runs of the same task are compared with it)
        </label>
      </p>
      <button type="submit" disabled={act.busy}>
        Start run
      </button>
    </ApiForm>
  );
}

export function RunsTable({
  runs,
  openRun,
  setOpenRun,
}: {
  runs: Loaded<{ items: Run[] }>;
  openRun: string | null;
  setOpenRun: (id: string | null) => void;
}) {
  const columns: Column<Run>[] = [
    { header: 'Suite and task', cell: (x) => `${x.suite} / ${x.task}${x.reference ? ' (reference)' : ''}` },
    { header: 'Variant', cell: (x) => x.variant },
    { header: 'Status', cell: (x) => x.status },
    { header: 'Scores', cell: (x) => accuracyOf(x) || '—' },
    {
      header: 'Details',
      cell: (x) => (
        <button
          type="button"
          aria-expanded={openRun === x.id}
          aria-label={`Details of ${x.task} (${x.variant})`}
          onClick={() => setOpenRun(openRun === x.id ? null : x.id)}
        >
          Details
        </button>
      ),
    },
  ];
  return (
    <DataTable
      keep
      state={runs}
      what="Loading runs"
      columns={columns}
      rowKey={(x) => x.id}
      empty="No runs you may see."
    />
  );
}
