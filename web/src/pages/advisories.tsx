import { type FormEvent, useState } from 'react';
import { qs } from '../api';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import type { Advisory, Page } from '../types';
import { Async, PageTitle, Severity, TlpBadge, useApi, When } from '../ui';

const PAGE_SIZE = 25;

function topSeverity(a: Advisory): string | null {
  const order = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
  let best: string | null = null;
  for (const c of a.cvss ?? [])
    if (c.severity && (best === null || order.indexOf(c.severity) > order.indexOf(best))) best = c.severity;
  return best;
}

/** Search and paging happen on the server (cursor paging; the filters live in the address). */
export function AdvisoriesPage() {
  const { me } = useSession();
  const { search } = useLocation();
  const filters = {
    q: search.get('q') ?? '',
    severity: search.get('severity') ?? '',
    ecosystem: search.get('ecosystem') ?? '',
    kev: search.get('kev') ?? '',
  };
  const cursor = search.get('cursor') ?? '';
  const [form, setForm] = useState(filters);
  const [history, setHistory] = useState<string[]>([]);
  const list = useApi<Page<Advisory>>(`/api/v1/advisories${qs({ ...filters, limit: PAGE_SIZE, cursor })}`);
  const go = (params: Record<string, string>) => navigate(`/advisories${qs(params)}`);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setHistory([]);
    go(form);
  };
  return (
    <>
      <PageTitle>Advisories</PageTitle>
      {!me && (
        <p className="note">
          You are not signed in: you see public (TLP:CLEAR) advisories only. <Link to="/sign-in">Sign in</Link> to see
          what is shared with your organisation.
        </p>
      )}
      <form className="filters" onSubmit={submit} aria-label="Search advisories">
        <div className="field">
          <label htmlFor="adv-q">Search</label>
          <input
            id="adv-q"
            type="search"
            value={form.q}
            placeholder="words, CVE, package"
            onChange={(e) => setForm({ ...form, q: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="adv-sev">Severity</label>
          <select id="adv-sev" value={form.severity} onChange={(e) => setForm({ ...form, severity: e.target.value })}>
            <option value="">any</option>
            {['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="adv-eco">Ecosystem</label>
          <input
            id="adv-eco"
            value={form.ecosystem}
            placeholder="npm, PyPI, Go…"
            onChange={(e) => setForm({ ...form, ecosystem: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="adv-kev">Known exploited</label>
          <select id="adv-kev" value={form.kev} onChange={(e) => setForm({ ...form, kev: e.target.value })}>
            <option value="">either</option>
            <option value="true">in KEV</option>
            <option value="false">not in KEV</option>
          </select>
        </div>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      <Async state={list} what="Loading advisories">
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <p>No advisory matches.</p>
            ) : (
              <table className="data">
                <caption className="sr-only">Advisories, newest change first</caption>
                <thead>
                  <tr>
                    <th scope="col">Id</th>
                    <th scope="col">Summary</th>
                    <th scope="col">Severity</th>
                    <th scope="col">Marking</th>
                    <th scope="col">Modified</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((a) => (
                    <tr key={a.id}>
                      <td>
                        <Link to={`/advisories/${encodeURIComponent(a.id)}`}>{a.id}</Link>
                        {a.aliases.length > 0 && <div className="muted small">{a.aliases.slice(0, 2).join(', ')}</div>}
                      </td>
                      <td>{a.summary}</td>
                      <td>
                        <Severity value={topSeverity(a)} />
                      </td>
                      <td>
                        <TlpBadge tlp={a.marking.tlp} />
                      </td>
                      <td>
                        <When at={a.modified} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <nav className="pager" aria-label="Pages of advisories">
              <button
                type="button"
                disabled={history.length === 0 && !cursor}
                onClick={() => {
                  const prev = history.slice(0, -1);
                  setHistory(prev);
                  go({ ...filters, cursor: history[history.length - 1] ?? '' });
                }}
              >
                Previous page
              </button>
              <button
                type="button"
                disabled={!page.nextCursor}
                onClick={() => {
                  setHistory([...history, cursor]);
                  go({ ...filters, cursor: page.nextCursor ?? '' });
                }}
              >
                Next page
              </button>
            </nav>
          </>
        )}
      </Async>
    </>
  );
}

function RangeText({ events }: { events: Record<string, string>[] }) {
  return (
    <>
      {events
        .map((e) =>
          Object.entries(e)
            .map(([k, v]) => `${k.replace('_', ' ')} ${v}`)
            .join(' '),
        )
        .join(', ')}
    </>
  );
}

export function AdvisoryPage({ id }: { id: string }) {
  const adv = useApi<Advisory>(`/api/v1/advisories/${encodeURIComponent(id)}`);
  const base = `/api/v1/advisories/${encodeURIComponent(id)}`;
  return (
    <Async state={adv} what="Loading the advisory" title={`Advisory ${id}`}>
      {(a) => (
        <article>
          <p>
            <Link to="/advisories">← All advisories</Link>
          </p>
          <PageTitle>
            {a.id}: {a.summary}
          </PageTitle>
          <p className="meta">
            <TlpBadge tlp={a.marking.tlp} /> <Severity value={topSeverity(a)} /> version {a.version} · published{' '}
            <When at={a.published} withZone /> · modified <When at={a.modified} withZone />
            {a.withdrawn && (
              <strong>
                {' '}
                · withdrawn <When at={a.withdrawn} />
              </strong>
            )}
            {a.kev && <strong> · Known exploited (KEV)</strong>}
          </p>
          <section aria-labelledby="dl">
            <h2 id="dl">Download</h2>
            <ul className="inline">
              <li>
                <a href={`${base}/osv`} download={`${a.id}.osv.json`}>
                  OSV JSON
                </a>
              </li>
              <li>
                <a href={`${base}/csaf`} download={`${a.id}.csaf.json`}>
                  CSAF 2.0
                </a>
              </li>
              <li>
                <a href={`${base}/stix`} download={`${a.id}.stix.json`}>
                  STIX 2.1 bundle
                </a>
              </li>
            </ul>
          </section>
          {a.details && (
            <section aria-labelledby="details">
              <h2 id="details">Details</h2>
              <p className="prose">{a.details}</p>
            </section>
          )}
          {a.aliases.length > 0 && <p>Also known as: {a.aliases.join(', ')}</p>}
          <section aria-labelledby="affected">
            <h2 id="affected">Affected packages</h2>
            {a.affected.length === 0 ? (
              <p>None listed.</p>
            ) : (
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">Package</th>
                    <th scope="col">Ecosystem</th>
                    <th scope="col">Ranges</th>
                    <th scope="col">Versions</th>
                  </tr>
                </thead>
                <tbody>
                  {a.affected.map((f) => (
                    <tr key={`${f.package.ecosystem}:${f.package.purl ?? f.package.name}:${JSON.stringify(f.ranges)}`}>
                      <td>
                        {f.package.name}
                        {f.package.purl && <div className="muted small">{f.package.purl}</div>}
                      </td>
                      <td>{f.package.ecosystem}</td>
                      <td>
                        <ul className="plain">
                          {f.ranges.map((r) => (
                            <li key={`${r.type}:${JSON.stringify(r.events)}`}>
                              {r.type}: <RangeText events={r.events} />
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td>{(f.versions ?? []).slice(0, 10).join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="severity">
            <h2 id="severity">Severity</h2>
            {a.cvss.length === 0 ? (
              <p>No CVSS score.</p>
            ) : (
              <ul>
                {a.cvss.map((c) => (
                  <li key={c.vector}>
                    CVSS {c.version}: {c.score ?? '—'} <Severity value={c.severity} /> <code>{c.vector}</code>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="ssvc">
            <h2 id="ssvc">SSVC decision</h2>
            {a.ssvc ? (
              <>
                <p>
                  <strong>{a.ssvc.decision}</strong> ({a.ssvc.model}): exploitation {a.ssvc.exploitation}, automatable{' '}
                  {a.ssvc.automatable}, technical impact {a.ssvc.technicalImpact}, mission and well-being{' '}
                  {a.ssvc.missionAndWellBeing}.
                </p>
                <h3>How it was reached</h3>
                <ol>
                  {a.ssvc.trace.map((t) => (
                    <li key={t}>{t}</li>
                  ))}
                </ol>
              </>
            ) : (
              <p>No SSVC decision recorded.</p>
            )}
          </section>
          {(a.cweIds.length > 0 || a.atlasIds.length > 0 || a.owaspLlmIds.length > 0) && (
            <section aria-labelledby="class">
              <h2 id="class">Weakness and AI classes</h2>
              <dl>
                {a.cweIds.length > 0 && (
                  <>
                    <dt>CWE</dt>
                    <dd>{a.cweIds.join(', ')}</dd>
                  </>
                )}
                {a.atlasIds.length > 0 && (
                  <>
                    <dt>MITRE ATLAS</dt>
                    <dd>{a.atlasIds.join(', ')}</dd>
                  </>
                )}
                {a.owaspLlmIds.length > 0 && (
                  <>
                    <dt>OWASP LLM Top 10</dt>
                    <dd>{a.owaspLlmIds.join(', ')}</dd>
                  </>
                )}
              </dl>
            </section>
          )}
          {a.references.length > 0 && (
            <section aria-labelledby="refs">
              <h2 id="refs">References</h2>
              <ul className="refs">
                {a.references.slice(0, 30).map((r) => (
                  <li key={r.url}>
                    <a href={r.url} rel="noreferrer noopener" target="_blank">
                      {r.url}
                    </a>{' '}
                    <span className="muted">({r.type.toLowerCase()}, opens in a new tab)</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {a.source && (
            <p className="muted small">
              Source: {a.source.name}
              {a.source.licence && `, licence ${a.source.licence}`}
            </p>
          )}
        </article>
      )}
    </Async>
  );
}
