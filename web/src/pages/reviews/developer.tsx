/**
 * The developer's side of a review window: model cards and evaluation results (upload, list, download), covered
 * status (shown to every party; recorded by coordinators), the trusted-partner date and the close it leads to, the
 * gateway call log (metadata only) and the report of shared findings. Each panel shows only what the API returns to
 * the signed-in member.
 */
import { useState } from 'react';
import { api } from '../../api';
import { type Column, DataTable, Table } from '../../components/data-table';
import { ApiForm, Choice, Field } from '../../components/form';
import type { Organisation } from '../../types';
import { Async, shortId, useAction, useApi, viewerZone, When } from '../../ui';
import {
  ATTACHMENT_KINDS,
  COVERED_STATUSES,
  type DeveloperReport,
  type GatewayCall,
  type Grant,
  type ReviewWindow,
  type WindowAttachment,
  words,
} from './types';

const FINAL = ['closed', 'withdrawn'];

async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

const attachmentColumns: Column<WindowAttachment>[] = [
  {
    header: 'File',
    cell: (a) => (
      <a href={`/api/v1/attachments/${encodeURIComponent(a.id)}`} download={a.filename}>
        Download {a.filename}
      </a>
    ),
  },
  { header: 'Kind', cell: (a) => words(a.kind) },
  { header: 'Size', cell: (a) => `${a.size.toLocaleString('en-US')} bytes` },
  { header: 'SHA-256', cell: (a) => <code className="hash">{a.sha256}</code> },
  { header: 'Description', cell: (a) => a.description || '—' },
  { header: 'Added', cell: (a) => <When at={a.createdAt} withZone /> },
];

/** What a panel of the window page is given: the window, its API path, and what to call when the panel changed it. */
export interface WindowPanelProps {
  w: ReviewWindow;
  /** `/api/v1/reviews/windows/<id>`. */
  base: string;
  /** The member belongs to the developer organisation (the API lets it add documents and move dates). */
  developer: boolean;
  onChanged: () => void;
}

export function Attachments({ w, base, developer, onChanged }: WindowPanelProps) {
  const [kind, setKind] = useState<string>('model_card');
  const [description, setDescription] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [inputKey, setInputKey] = useState(0);
  const [added, setAdded] = useState<string | null>(null);
  const act = useAction(async () => {
    setAdded(null);
    const attachments = await Promise.all(
      files.map(async (f) => ({
        kind,
        filename: f.name,
        contentType: f.type || 'application/octet-stream',
        contentBase64: await base64Of(f),
        description,
      })),
    );
    await api('POST', `${base}/attachments`, { attachments });
    setAdded(files.map((f) => f.name).join(', '));
    setFiles([]);
    setDescription('');
    setInputKey((k) => k + 1);
    onChanged();
  });
  const e = act.error;
  return (
    <section aria-labelledby="attachments">
      <h2 id="attachments">Model cards and evaluation results</h2>
      <Table
        rows={w.attachments}
        rowKey={(a) => a.id}
        columns={attachmentColumns}
        empty="No model cards or evaluation results you may see."
      />
      {developer && !FINAL.includes(w.state) && (
        <ApiForm title="Add a model card or evaluation result" error={e} onSubmit={() => void act.run()}>
          <Field label="Document kind" error={e} path="attachments.0.kind">
            {(p) => (
              <Choice
                {...p}
                value={kind}
                onChange={(ev) => setKind(ev.target.value)}
                choices={ATTACHMENT_KINDS}
                text={(k) => (k === 'model_card' ? 'model card' : 'our own evaluation results')}
              />
            )}
          </Field>
          <Field
            label="Files"
            error={e}
            path="attachments"
            hint="Up to 20 files; they carry the window's marking (TLP:AMBER, the window's parties only)."
          >
            {(p) => (
              <input
                {...p}
                key={inputKey}
                type="file"
                multiple
                onChange={(ev) => setFiles([...(ev.target.files ?? [])])}
              />
            )}
          </Field>
          <Field label="Document description (optional)" error={e} path="attachments.0.description">
            {(p) => <input {...p} value={description} onChange={(ev) => setDescription(ev.target.value)} />}
          </Field>
          <button type="submit" disabled={act.busy || files.length === 0}>
            Upload
          </button>
          {act.busy && (
            <p role="status" className="loading">
              Uploading…
            </p>
          )}
          {added && (
            <p role="status" className="ok">
              Added: {added}.
            </p>
          )}
        </ApiForm>
      )}
    </section>
  );
}

export function CoveredStatus({ w, base, onChanged }: Omit<WindowPanelProps, 'developer'>) {
  const [status, setStatus] = useState(w.covered.status);
  const [ref, setRef] = useState(w.covered.designationRef ?? '');
  const act = useAction(async () => {
    await api('PUT', `${base}/covered`, { designationRef: ref.trim() ? ref.trim() : null, status });
    onChanged();
  });
  return (
    <section aria-labelledby="covered">
      <h2 id="covered">Covered status</h2>
      <p>
        Status <strong>{words(w.covered.status)}</strong>; designation reference{' '}
        {w.covered.designationRef ? <code>{w.covered.designationRef}</code> : 'none recorded'}. It is decided outside
        the clearinghouse, which records only this reference and status.
      </p>
      {w.myRole === 'coordinator' && (
        <ApiForm title="Record covered status" error={act.error} onSubmit={() => void act.run()}>
          <Field label="Covered status" error={act.error} path="status">
            {(p) => (
              <Choice
                {...p}
                value={status}
                onChange={(ev) => setStatus(ev.target.value)}
                choices={COVERED_STATUSES}
                text={words}
              />
            )}
          </Field>
          <Field
            label="Designation reference"
            error={act.error}
            path="designationRef"
            hint="An opaque reference only; leave empty for none."
          >
            {(p) => <input {...p} value={ref} onChange={(ev) => setRef(ev.target.value)} />}
          </Field>
          <button type="submit" disabled={act.busy}>
            Record covered status
          </button>
        </ApiForm>
      )}
    </section>
  );
}

/** "YYYY-MM-DDTHH:mm" in the viewer's zone, for a datetime-local control. */
function localInput(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

export function PartnerDate({ w, base, developer, onChanged }: WindowPanelProps) {
  const [value, setValue] = useState(() => localInput(w.trustedPartnerDate));
  const [moved, setMoved] = useState(false);
  const act = useAction(async () => {
    setMoved(false);
    const at = new Date(value);
    // An unreadable value goes to the server as typed, so that its answer names the field.
    await api('POST', `${base}/partner-date`, {
      trustedPartnerDate: Number.isNaN(at.getTime()) ? value : at.toISOString(),
    });
    setMoved(true);
    onChanged();
  });
  const ids = { trustedPartnerDate: 'tpd-input' };
  return (
    <section aria-labelledby="partner-date">
      <h2 id="partner-date">Trusted-partner date and close</h2>
      <p>
        Trusted-partner date <When at={w.trustedPartnerDate} withZone />.{' '}
        {w.closesAt ? (
          <>
            The window closes <When at={w.closesAt} withZone /> (your time zone, {viewerZone()}).
          </>
        ) : w.state === 'draft' || w.state === 'offered' ? (
          <>
            Once open, it closes at the trusted-partner date or {w.maxWindowDays} days after opening, whichever comes
            first.
          </>
        ) : (
          'The window has ended.'
        )}
      </p>
      {developer && !FINAL.includes(w.state) && (
        <ApiForm title="Move the trusted-partner date" error={act.error} fieldIds={ids} onSubmit={() => void act.run()}>
          <Field
            label="New trusted-partner date and time"
            id={ids.trustedPartnerDate}
            error={act.error}
            path="trustedPartnerDate"
            hint={`In your time zone (${viewerZone()}); an open window then closes by it, and never later than ${w.maxWindowDays} days after opening.`}
          >
            {(p) => <input {...p} type="datetime-local" value={value} onChange={(ev) => setValue(ev.target.value)} />}
          </Field>
          <button type="submit" disabled={act.busy}>
            Move the date
          </button>
          {moved && (
            <p role="status" className="ok">
              Date moved.{' '}
              {w.closesAt ? (
                <>
                  The window now closes <When at={w.closesAt} withZone />.
                </>
              ) : null}
            </p>
          )}
        </ApiForm>
      )}
    </section>
  );
}

export function GatewayLog({ base, grants, orgs }: { base: string; grants: Grant[]; orgs: Map<string, Organisation> }) {
  const log = useApi<{ items: GatewayCall[] }>(`${base}/gateway-log?limit=200`);
  const grantee = (grantId: string) => {
    const g = grants.find((x) => x.id === grantId);
    return g ? (orgs.get(g.granteeOrgId)?.name ?? shortId(g.granteeOrgId)) : shortId(grantId);
  };
  const columns: Column<GatewayCall>[] = [
    { header: 'Time', cell: (c) => <When at={c.at} withZone /> },
    { header: 'Grantee', cell: (c) => grantee(c.grantId) },
    { header: 'Variant', cell: (c) => c.variant },
    { header: 'HTTP status', cell: (c) => String(c.status) },
    { header: 'Outcome', cell: (c) => words(c.outcome) },
    { header: 'Latency', cell: (c) => `${c.latencyMs} ms` },
    { header: 'Tokens (prompt + completion)', cell: (c) => `${c.promptTokens} + ${c.completionTokens}` },
    {
      header: 'Request SHA-256',
      cell: (c) => <code title={c.requestSha256}>{c.requestSha256.slice(0, 12)}…</code>,
    },
  ];
  return (
    <section aria-labelledby="gateway-log">
      <h2 id="gateway-log">Gateway call log</h2>
      <p>
        Metadata of each call through the gateway, newest first: never the prompt or the answer, only their SHA-256.
      </p>
      <DataTable
        keep
        state={log}
        what="Loading the gateway log"
        columns={columns}
        rowKey={(c) => c.id}
        empty="No gateway calls yet."
      />
      <p>
        <button type="button" onClick={() => log.reload()}>
          Refresh the gateway log
        </button>
      </p>
    </section>
  );
}

export function ReportPanel({ base }: { base: string }) {
  const report = useApi<DeveloperReport>(`${base}/report`);
  return (
    <section aria-labelledby="dev-report">
      <h2 id="dev-report">Findings report</h2>
      <Async state={report} what="Loading the findings report">
        {(r) => (
          <>
            <p>
              {r.summary.findings === 0
                ? 'No finding has been shared yet.'
                : `${r.summary.findings} shared finding${r.summary.findings === 1 ? '' : 's'}: ${Object.entries(
                    r.summary.bySeverity,
                  )
                    .map(([k, v]) => `${v} ${k}`)
                    .join(', ')}; marking TLP:${r.tlp}.`}{' '}
              The report records what was observed; it decides nothing about the release.
            </p>
            <p className="actions">
              <a className="button" href={`${base}/report`} download={`review-report-${r.windowId}.json`}>
                Download the report (JSON)
              </a>{' '}
              <a className="button" href={`${base}/report?format=markdown`} download={`review-report-${r.windowId}.md`}>
                Download the report (Markdown)
              </a>
            </p>
          </>
        )}
      </Async>
    </section>
  );
}
