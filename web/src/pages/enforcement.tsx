import { useState } from 'react';
import { qs } from '../api';
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

function Breakdown({ id }: { id: string }) {
  const view = useApi<IncidentView>(`/api/v1/incidents/${id}`);
  return (
    <Async state={view} what="Loading the score breakdown">
      {(v) =>
        v.score ? (
          <table className="data">
            <caption>
              Score {v.score.effective} ({v.score.source}
              {v.score.override ? `; computed ${v.score.computed.total}, override: ${v.score.override.reason}` : ''})
            </caption>
            <thead>
              <tr>
                <th scope="col">Factor</th>
                <th scope="col">Value</th>
                <th scope="col">Weight</th>
                <th scope="col">Points</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {v.score.computed.factors.map((f) => (
                <tr key={f.factor}>
                  <td>{f.factor.replace(/_/g, ' ')}</td>
                  <td>{f.value}</td>
                  <td>{f.weight}</td>
                  <td>{f.points}</td>
                  <td>{f.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
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
  return (
    <>
      <PageTitle>Enforcement queue</PageTitle>
      <p>Reports of AI-enabled attacks, highest priority first.</p>
      <div className="filters">
        <div className="field">
          <label htmlFor="inc-state">State</label>
          <select id="inc-state" value={state} onChange={(e) => setState(e.target.value)}>
            <option value="">any</option>
            {['received', 'triaged', 'under_review', 'referred', 'closed'].map((s) => (
              <option key={s} value={s}>
                {s.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Async state={list} what="Loading the queue">
        {(d) =>
          d.items.length === 0 ? (
            <p>No cases you may see.</p>
          ) : (
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Priority</th>
                  <th scope="col">Title</th>
                  <th scope="col">Attack</th>
                  <th scope="col">Sector</th>
                  <th scope="col">State</th>
                  <th scope="col">Received</th>
                  <th scope="col">Breakdown</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((i) => (
                  <tr key={i.id}>
                    <td>{i.priority ? `${i.priority.effective} (${i.priority.source})` : '—'}</td>
                    <td>{i.title}</td>
                    <td>{i.attackType.replace(/_/g, ' ')}</td>
                    <td>{i.sector.replace(/_/g, ' ')}</td>
                    <td>{i.state.replace(/_/g, ' ')}</td>
                    <td>
                      <When at={i.receivedAt} />
                    </td>
                    <td>
                      <button
                        type="button"
                        aria-expanded={open === i.id}
                        onClick={() => setOpen(open === i.id ? null : i.id)}
                      >
                        {open === i.id ? 'Hide' : 'Show'} score
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
      {open && (
        <section aria-label="Score breakdown">
          <Breakdown id={open} />
        </section>
      )}
    </>
  );
}
