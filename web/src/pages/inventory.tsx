import { type DragEvent, type FormEvent, useState } from 'react';
import { ApiError, api, csrfHeader, qs } from '../api';
import { Link } from '../router';
import {
  Async,
  ErrorBox,
  ErrorSummary,
  Field,
  issuesFor,
  Loading,
  PageTitle,
  Severity,
  TlpBadge,
  useAction,
  useApi,
} from '../ui';

interface Asset {
  id: string;
  name: string;
  criticality: string | null;
  internetFacing: boolean;
  currentInventoryId: string | null;
  updatedAt: string;
}
interface Finding {
  id: string;
  asset: { id: string; name: string };
  component: { name: string; version: string | null; purl: string | null; ecosystem: string | null };
  advisoryId: string | null;
  advisories: { id: string; aliases: string[]; summary: string; tlp: string }[];
  kev: boolean;
  severity: string | null;
  priority: string;
  dueDate: string | null;
  priorityReasons: string[];
  status: string;
}
interface VexStatement {
  status: string;
  justification?: string | null;
}

const JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
];

function mediaTypeOf(text: string): string {
  if (text.includes('"bomFormat"')) return 'application/vnd.cyclonedx+json';
  if (text.includes('"spdxVersion"')) return 'application/spdx+json';
  return 'application/json';
}

/** Uploads with XMLHttpRequest: fetch reports no upload progress. */
function upload(url: string, text: string, onProgress: (pct: number) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('content-type', mediaTypeOf(text));
    xhr.setRequestHeader('accept', 'application/json');
    for (const [k, v] of Object.entries(csrfHeader())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      let body: unknown = xhr.responseText;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {}
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: 'the upload did not reach the server' }));
    xhr.send(text);
  });
}

function Upload({ onDone }: { onDone: () => void }) {
  const [asset, setAsset] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [over, setOver] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const send = useAction(async () => {
    if (!file)
      throw new ApiError(400, { detail: 'choose an SBOM file', issues: [{ path: 'file', message: 'required' }] });
    setProgress(0);
    const out = (await upload(
      `/api/v1/assets/${encodeURIComponent(asset)}/sboms${qs({ fileName: file.name })}`,
      await file.text(),
      setProgress,
    )) as Record<string, unknown>;
    setResult(`Stored. ${JSON.stringify(out.findings ?? out.counts ?? {})}`);
    onDone();
  });
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer.files[0];
    if (f) setFile(f);
  };
  return (
    <section aria-labelledby="upload">
      <h2 id="upload">Upload an SBOM</h2>
      <form
        className="stack"
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void send.run();
        }}
      >
        <ErrorSummary error={send.error} fieldIds={{ file: 'sbom-file' }} />
        <Field label="Asset name" id="asset-name" issues={issuesFor(send.error?.issues ?? [], 'name')}>
          {(p) => <input {...p} value={asset} onChange={(e) => setAsset(e.target.value)} />}
        </Field>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping a file is a shortcut; the labelled file input inside is the keyboard way. */}
        <div
          className={`dropzone${over ? ' over' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={drop}
        >
          <Field label="SBOM file (CycloneDX 1.4-1.6 or SPDX 2.3 JSON), or drop it here" id="sbom-file">
            {(p) => (
              <input
                {...p}
                type="file"
                accept=".json,application/json"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
            )}
          </Field>
          {file && <p>Chosen: {file.name}</p>}
        </div>
        {progress !== null && (
          <p>
            <label htmlFor="sbom-progress">Upload progress</label>{' '}
            <progress id="sbom-progress" max={100} value={progress}>
              {progress}%
            </progress>{' '}
            {progress}%
          </p>
        )}
        <button type="submit" className="primary" disabled={send.busy || !asset}>
          Upload
        </button>
        {result && (
          <p role="status" className="ok">
            {result}
          </p>
        )}
      </form>
    </section>
  );
}

function VexCell({ f, onChange }: { f: Finding; onChange: (said: string) => void }) {
  const history = useApi<{ items: VexStatement[] }>(`/api/v1/findings/${f.id}/vex`);
  const [status, setStatus] = useState('not_affected');
  const [justification, setJustification] = useState(JUSTIFICATIONS[1]!);
  const set = useAction(async () => {
    await api('POST', `/api/v1/findings/${f.id}/vex`, {
      status,
      ...(status === 'not_affected' ? { justification } : {}),
      ...(status === 'affected' ? { actionStatement: 'update the component' } : {}),
    });
    history.reload();
    onChange(`VEX for ${label}: ${status.replace(/_/g, ' ')}.`);
  });
  const current = history.data?.items.at(-1);
  const label = `${f.component.name} ${f.component.version ?? ''}`;
  return (
    <div>
      <p>
        VEX: <strong>{history.loading ? '…' : current ? current.status.replace(/_/g, ' ') : 'none'}</strong>
        {current?.justification ? ` (${current.justification.replace(/_/g, ' ')})` : ''}
      </p>
      <ErrorSummary error={set.error} />
      <div className="inline-form small">
        <label htmlFor={`vs-${f.id}`}>VEX status for {label}</label>
        <select id={`vs-${f.id}`} value={status} onChange={(e) => setStatus(e.target.value)}>
          {['not_affected', 'affected', 'fixed', 'under_investigation'].map((s) => (
            <option key={s} value={s}>
              {s.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
        {status === 'not_affected' && (
          <>
            <label htmlFor={`vj-${f.id}`}>Justification</label>
            <select id={`vj-${f.id}`} value={justification} onChange={(e) => setJustification(e.target.value)}>
              {JUSTIFICATIONS.map((j) => (
                <option key={j} value={j}>
                  {j.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </>
        )}
        <button type="button" onClick={() => void set.run()} disabled={set.busy}>
          Set VEX
        </button>
      </div>
    </div>
  );
}

function Findings({ tick, refresh }: { tick: number; refresh: () => void }) {
  const [status, setStatus] = useState('open');
  // A finding set not_affected or fixed leaves the open list: the confirmation is shown above the table.
  const [said, setSaid] = useState('');
  const list = useApi<{ items: Finding[]; nextCursor: string | null }>(
    `/api/v1/findings${qs({ status, limit: 100 })}#${tick}`,
  );
  return (
    <section aria-labelledby="findings">
      <h2 id="findings">Findings</h2>
      <div className="filters">
        <div className="field">
          <label htmlFor="f-status">Status</label>
          <select id="f-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="open">open</option>
            <option value="resolved">resolved</option>
            <option value="all">all</option>
          </select>
        </div>
        <p>
          Export VEX: <a href="/api/v1/exposure/vex?format=openvex">OpenVEX</a> ·{' '}
          <a href="/api/v1/exposure/vex?format=cyclonedx">CycloneDX</a>
        </p>
      </div>
      <p role="status" className="ok">
        {said}
      </p>
      <Async state={list} what="Loading findings">
        {(d) =>
          d.items.length === 0 ? (
            <p>No findings.</p>
          ) : (
            <table className="data">
              <caption className="sr-only">Findings by priority and due date</caption>
              <thead>
                <tr>
                  <th scope="col">Priority</th>
                  <th scope="col">Due</th>
                  <th scope="col">Asset and component</th>
                  <th scope="col">Advisory</th>
                  <th scope="col">VEX</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((f) => (
                  <tr key={f.id}>
                    <td>
                      <strong>{f.priority}</strong>
                      {f.kev && <div>Known exploited (KEV)</div>}
                      <ul className="plain small">
                        {f.priorityReasons.map((r) => (
                          <li key={r}>{r}</li>
                        ))}
                      </ul>
                    </td>
                    <td>{f.dueDate ?? '—'}</td>
                    <td>
                      {f.asset.name}: {f.component.name} {f.component.version}
                      <div className="muted small">{f.component.purl}</div>
                    </td>
                    <td>
                      {f.advisories.map((a) => (
                        <div key={a.id}>
                          <Link to={`/advisories/${encodeURIComponent(a.id)}`}>{a.id}</Link> <TlpBadge tlp={a.tlp} />{' '}
                          <Severity value={f.severity} />
                          <div className="small">{a.summary}</div>
                        </div>
                      ))}
                    </td>
                    <td>
                      <VexCell
                        f={f}
                        onChange={(text) => {
                          setSaid(text);
                          refresh();
                        }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </section>
  );
}

/** Inventories and findings (the exposure capability); says so plainly when this server does not offer them. */
export function InventoryPage() {
  const assets = useApi<{ items: Asset[] }>('/api/v1/assets');
  const [tick, setTick] = useState(0);
  const refresh = () => {
    setTick((t) => t + 1);
    assets.reload();
  };
  return (
    <>
      <PageTitle>Inventory and findings</PageTitle>
      {assets.loading && !assets.data ? (
        <Loading what="Loading assets" />
      ) : assets.error?.status === 404 ? (
        <p>This server does not offer inventories (SBOM upload and findings).</p>
      ) : assets.error ? (
        <ErrorBox error={assets.error} retry={assets.reload} />
      ) : (
        <>
          <Upload onDone={refresh} />
          <section aria-labelledby="assets">
            <h2 id="assets">Assets</h2>
            {(assets.data?.items ?? []).length === 0 ? (
              <p>No assets yet: upload an SBOM.</p>
            ) : (
              <ul>
                {assets.data?.items.map((a) => (
                  <li key={a.id}>
                    <strong>{a.name}</strong> — criticality {a.criticality ?? 'not set'}
                    {a.internetFacing ? ', internet facing' : ''}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <Findings tick={tick} refresh={refresh} />
        </>
      )}
    </>
  );
}
