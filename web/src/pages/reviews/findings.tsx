/** Findings of a review window: the table (validate, share, the developer's response) and filing a finding. */
import { useState } from 'react';
import { api } from '../../api';
import { type Column, DataTable } from '../../components/data-table';
import { ApiForm, Choice, Field } from '../../components/form';
import { type Loaded, TlpBadge, useAction, useFields } from '../../ui';
import { FINDING_TYPES, type Finding, RESPONSES, type Run, SEVERITIES, words } from './types';

export function FindingForm({ base, runs, onCreated }: { base: string; runs: Run[]; onCreated: () => void }) {
  const [f, setF, set] = useFields({
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
  const e = act.error;
  const ids = {
    title: 'fi-title',
    description: 'fi-desc',
    evidence: 'fi-run',
    reproducibility: 'fi-k',
    atlasIds: 'fi-atlas',
  };
  return (
    <ApiForm title="File a finding" error={e} fieldIds={ids} onSubmit={() => void act.run()}>
      <Field label="Finding title" id={ids.title} error={e} path="title">
        {(p) => <input {...p} value={f.title} onChange={set('title')} />}
      </Field>
      <Field label="Type" error={e} path="type">
        {(p) => <Choice {...p} value={f.type} onChange={set('type')} choices={FINDING_TYPES} text={words} />}
      </Field>
      <Field label="Severity" error={e} path="severity">
        {(p) => <Choice {...p} value={f.severity} onChange={set('severity')} choices={SEVERITIES} />}
      </Field>
      <Field label="Finding description" id={ids.description} error={e} path="description">
        {(p) => <textarea {...p} rows={4} value={f.description} onChange={set('description')} />}
      </Field>
      <Field label="Evidence run" id={ids.evidence} error={e} path="evidence">
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
      <Field label="Reproduced (k)" id={ids.reproducibility} error={e} path="reproducibility">
        {(p) => <input {...p} type="number" min={0} value={f.k} onChange={set('k')} />}
      </Field>
      <Field label="Attempts (n)">
        {(p) => <input {...p} type="number" min={1} value={f.n} onChange={set('n')} />}
      </Field>
      <Field label="ATLAS technique ids (optional)" id={ids.atlasIds} hint="e.g. AML.T0051" error={e} path="atlasIds">
        {(p) => <input {...p} value={f.atlas} onChange={set('atlas')} />}
      </Field>
      <Field label="Finding marking (TLP)" error={e} path="tlp">
        {(p) => (
          <Choice
            {...p}
            value={f.tlp}
            onChange={set('tlp')}
            choices={['RED', 'AMBER+STRICT', 'AMBER', 'GREEN', 'CLEAR']}
          />
        )}
      </Field>
      <button type="submit" disabled={act.busy}>
        File finding (draft)
      </button>
    </ApiForm>
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
    <ApiForm error={act.error} onSubmit={() => void act.run()}>
      <Field label={`Response to ${finding.title}`} error={act.error} path="response">
        {(p) => (
          <Choice {...p} value={value} onChange={(e) => setValue(e.target.value)} choices={RESPONSES} text={words} />
        )}
      </Field>
      <Field label={`Note on ${finding.title}`} error={act.error} path="note">
        {(p) => <textarea {...p} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
      <button type="submit" disabled={act.busy}>
        Send response
      </button>
    </ApiForm>
  );
}

export function FindingsTable({
  findings,
  base,
  reviewer,
  developer,
  myMemberId,
  act,
  onChanged,
}: {
  findings: Loaded<{ items: Finding[] }>;
  base: string;
  reviewer: boolean;
  developer: boolean;
  myMemberId: string | undefined;
  act: (path: string, body?: unknown) => void;
  onChanged: () => void;
}) {
  const columns: Column<Finding>[] = [
    {
      header: 'Title',
      cell: (x) => (
        <>
          {x.title} <TlpBadge tlp={x.tlp} />
        </>
      ),
    },
    { header: 'Severity', cell: (x) => x.severity },
    {
      header: 'State',
      cell: (x) => (
        <>
          {x.state}
          {reviewer && x.state === 'draft' && x.authorMemberId !== myMemberId && (
            <>
              {' '}
              <button type="button" onClick={() => act(`/findings/${x.id}/validate`, {})}>
                Validate
              </button>
            </>
          )}
          {reviewer && x.state === 'validated' && (
            <>
              {' '}
              <button type="button" onClick={() => act(`/findings/${x.id}/share`)}>
                Share with the developer
              </button>
            </>
          )}
        </>
      ),
    },
    { header: 'Reproduced', cell: (x) => `${x.reproducibility.k} of ${x.reproducibility.n}` },
    {
      header: 'Developer response',
      cell: (x) =>
        x.response ? (
          `${words(x.response.value)}${x.response.note ? `: ${x.response.note}` : ''}`
        ) : developer && x.state === 'shared' ? (
          <Respond base={base} finding={x} onDone={onChanged} />
        ) : (
          '—'
        ),
    },
  ];
  return (
    <DataTable
      state={findings}
      what="Loading findings"
      columns={columns}
      rowKey={(x) => x.id}
      empty="No findings you may see."
    />
  );
}
