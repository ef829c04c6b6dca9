import { useState } from 'react';
import { qs } from '../api';
import { Async, PageTitle, useApi, When } from '../ui';

interface Entry {
  seq: number;
  at: string;
  actorOrgId: string | null;
  actorMemberId: string | null;
  action: string;
  objectType: string;
  objectId: string;
  details: string;
}

/** The audit log for coordinators, newest first, with its chain check. */
export function AuditPage() {
  const [action, setAction] = useState('');
  const [objectId, setObjectId] = useState('');
  const [applied, setApplied] = useState({ action: '', objectId: '', beforeSeq: '' });
  const log = useApi<{ items: Entry[] }>(`/api/v1/audit${qs({ ...applied, limit: 50 })}`);
  const [verifying, setVerifying] = useState(false);
  const verify = useApi<{ ok: boolean; checked?: number; entries?: number }>(verifying ? '/api/v1/audit/verify' : null);
  return (
    <>
      <PageTitle>Audit log</PageTitle>
      <form
        className="filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ action, objectId, beforeSeq: '' });
        }}
      >
        <div className="field">
          <label htmlFor="au-action">Action</label>
          <input
            id="au-action"
            value={action}
            placeholder="e.g. session.create"
            onChange={(e) => setAction(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="au-object">Object id</label>
          <input id="au-object" value={objectId} onChange={(e) => setObjectId(e.target.value)} />
        </div>
        <button type="submit" className="primary">
          Filter
        </button>
        <button type="button" onClick={() => setVerifying(true)}>
          Verify the chain
        </button>
      </form>
      {verifying && (
        <Async state={verify} what="Recomputing the audit chain">
          {(v) => (
            <p role="status" className={v.ok ? 'ok' : 'error'}>
              {v.ok ? '✓ The chain is intact.' : '✗ The chain is broken.'} {JSON.stringify(v)}
            </p>
          )}
        </Async>
      )}
      <Async state={log} what="Loading the audit log">
        {(d) => (
          <>
            <table className="data">
              <caption className="sr-only">Audit entries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">Object</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((e) => (
                  <tr key={e.seq}>
                    <td>{e.seq}</td>
                    <td>
                      <When at={e.at} />
                    </td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td>
                      {e.objectType} <span className="muted small">{e.objectId.slice(0, 12)}</span>
                    </td>
                    <td className="small">{e.actorMemberId ? e.actorMemberId.slice(0, 8) : 'system'}</td>
                    <td className="small">
                      <code className="wrap">{e.details}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {d.items.length === 50 && (
              <button
                type="button"
                onClick={() => setApplied({ ...applied, beforeSeq: String(d.items[d.items.length - 1]!.seq) })}
              >
                Older entries
              </button>
            )}
          </>
        )}
      </Async>
    </>
  );
}
