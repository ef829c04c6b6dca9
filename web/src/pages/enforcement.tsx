import { useState } from 'react';
import { qs } from '../api';
import { type Column, DataTable, Table } from '../components/data-table';
import { Field } from '../components/form';
import { Async, PageTitle, useApi, When } from '../ui';

interface IncidentSummary {
  id: string;
  title: string;
  state: string;
  attackType: string;
  sector: string;
  receivedAt: string;
  role: string;
  priority?: { effective: number; source: string; computed: number };
}
interface Factor {
  factor: string;
  value: number;
  weight: number;
  points: number;
  reason: string;
}
interface IncidentView extends IncidentSummary {
  score?: {
    effective: number;
    source: string;
    computed: { total: number; factors: Factor[] };
    override: { score: number; reason: string } | null;
  };
}

const words = (s: string) => s.replace(/_/g, ' ');

const factorColumns: Column<Factor>[] = [
  { header: 'Factor', cell: (f) => words(f.factor) },
  { header: 'Value', cell: (f) => f.value },
  { header: 'Weight', cell: (f) => f.weight },
  { header: 'Points', cell: (f) => f.points },
  { header: 'Why', cell: (f) => f.reason },
];

function Breakdown({ id }: { id: string }) {
  const view = useApi<IncidentView>(`/api/v1/incidents/${id}`);
  return (
    <Async state={view} what="Loading the score breakdown">
      {(v) =>
        v.score ? (
          <Table
            rows={v.score.computed.factors}
            rowKey={(f) => f.factor}
            columns={factorColumns}
            empty="No factors."
            caption={`Score ${v.score.effective} (${v.score.source}${
              v.score.override ? `; computed ${v.score.computed.total}, override: ${v.score.override.reason}` : ''
            })`}
          />
        ) : (
          <p>The score is shown to coordinators and liaisons only.</p>
        )
      }
    </Async>
  );
}

/** The referral queue: coordinators and liaisons see every case with its score; a reporting organisation its own. */
export function EnforcementPage() {
  const [state, setState] = useState('');
  const list = useApi<{ items: IncidentSummary[] }>(`/api/v1/incidents${qs({ state })}`);
  const [open, setOpen] = useState<string | null>(null);
  const columns: Column<IncidentSummary>[] = [
    { header: 'Priority', cell: (i) => (i.priority ? `${i.priority.effective} (${i.priority.source})` : '—') },
    { header: 'Title', cell: (i) => i.title },
    { header: 'Attack', cell: (i) => words(i.attackType) },
    { header: 'Sector', cell: (i) => words(i.sector) },
    { header: 'State', cell: (i) => words(i.state) },
    { header: 'Received', cell: (i) => <When at={i.receivedAt} /> },
    {
      header: 'Breakdown',
      cell: (i) => (
        <button type="button" aria-expanded={open === i.id} onClick={() => setOpen(open === i.id ? null : i.id)}>
          {open === i.id ? 'Hide' : 'Show'} score
        </button>
      ),
    },
  ];
  return (
    <>
      <PageTitle>Enforcement queue</PageTitle>
      <p>Reports of AI-enabled attacks, highest priority first.</p>
      <div className="filters">
        <Field label="State" id="inc-state">
          {(p) => (
            <select {...p} value={state} onChange={(e) => setState(e.target.value)}>
              <option value="">any</option>
              {['received', 'triaged', 'under_review', 'referred', 'closed'].map((s) => (
                <option key={s} value={s}>
                  {words(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <DataTable
        state={list}
        what="Loading the queue"
        columns={columns}
        rowKey={(i) => i.id}
        empty="No cases you may see."
      />
      {open && (
        <section aria-label="Score breakdown">
          <Breakdown id={open} />
        </section>
      )}
    </>
  );
}
