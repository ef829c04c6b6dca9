import { type FormEvent, useState } from 'react';
import { api } from '../api';
import { isAdmin, useSession } from '../session';
import type { Organisation } from '../types';
import { Async, CopyButton, ErrorSummary, Field, issuesFor, PageTitle, useAction, useApi, When } from '../ui';

interface Member {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
}
interface Invite {
  id: string;
  email: string;
  status: string;
  expiresAt: string;
  createdAt: string;
}
interface Token {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  memberId: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}
interface Group {
  id: string;
  name: string;
  description: string;
  ownerOrgId: string;
  memberOrgIds: string[];
}
interface Webhook {
  id: string;
  url: string;
  eventTypes?: string[];
  events?: string[];
  active: boolean;
}
interface Delivery {
  id: string;
  eventType: string;
  state: string;
  createdAt: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

function Members({ orgId }: { orgId: string }) {
  const { me } = useSession();
  const admin = isAdmin(me);
  const members = useApi<{ items: Member[] }>(`/api/v1/organisations/${orgId}/members`);
  const invites = useApi<{ items: Invite[] }>(admin ? `/api/v1/organisations/${orgId}/invites` : null);
  const [f, setF] = useState({ email: '', name: '', role: 'analyst' });
  const [link, setLink] = useState<string | null>(null);
  const invite = useAction(async (body: Record<string, string>) => {
    const out = await api<{ url: string }>('POST', `/api/v1/organisations/${orgId}/invites`, body);
    setLink(out.url);
    members.reload();
    invites.reload();
  });
  const revoke = useAction(async (id: string) => {
    await api('DELETE', `/api/v1/organisations/${orgId}/invites/${id}`);
    invites.reload();
  });
  const issues = invite.error?.issues ?? [];
  return (
    <section aria-labelledby="members">
      <h2 id="members">Members</h2>
      <Async state={members} what="Loading members">
        {(d) => (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                {admin && <th scope="col">Password link</th>}
              </tr>
            </thead>
            <tbody>
              {d.items.map((m) => (
                <tr key={m.id}>
                  <td>{m.name}</td>
                  <td>{m.email}</td>
                  <td>{m.role}</td>
                  <td>{m.status}</td>
                  {admin && (
                    <td>
                      <button
                        type="button"
                        onClick={() => void invite.run({ memberId: m.id })}
                        aria-label={`New link for ${m.email} to set a password`}
                      >
                        New link
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
      {admin && (
        <>
          <h3>Invite a member</h3>
          <form
            className="stack"
            noValidate
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              void invite.run(f);
            }}
          >
            <ErrorSummary error={invite.error} fieldIds={{ email: 'inv-email', name: 'inv-name' }} />
            <Field label="Email" id="inv-email" issues={issuesFor(issues, 'email')}>
              {(p) => (
                <input {...p} type="email" value={f.email} onChange={(e) => setF({ ...f, email: e.target.value })} />
              )}
            </Field>
            <Field label="Name" id="inv-name" issues={issuesFor(issues, 'name')}>
              {(p) => <input {...p} value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />}
            </Field>
            <Field label="Role" issues={issuesFor(issues, 'role')}>
              {(p) => (
                <select {...p} value={f.role} onChange={(e) => setF({ ...f, role: e.target.value })}>
                  <option value="viewer">viewer (read)</option>
                  <option value="analyst">analyst (read and write)</option>
                  <option value="admin">admin (manages the organisation)</option>
                </select>
              )}
            </Field>
            <button type="submit" className="primary" disabled={invite.busy}>
              Create invite link
            </button>
          </form>
          {link && (
            <div className="secret" role="status">
              <p>
                <strong>Invite link, shown once.</strong> Send it to the member by a channel you trust; it works once
                and expires in 7 days.
              </p>
              <p>
                <code className="wrap">{link}</code> <CopyButton text={link} label="Copy link" />
              </p>
            </div>
          )}
          <h3>Invites</h3>
          <ErrorSummary error={revoke.error} />
          <Async state={invites} what="Loading invites">
            {(d) =>
              d.items.length === 0 ? (
                <p>No invites.</p>
              ) : (
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">Email</th>
                      <th scope="col">Status</th>
                      <th scope="col">Expires</th>
                      <th scope="col">Action</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.items.map((i) => (
                      <tr key={i.id}>
                        <td>{i.email}</td>
                        <td>{i.status}</td>
                        <td>
                          <When at={i.expiresAt} />
                        </td>
                        <td>
                          {i.status === 'open' && (
                            <button
                              type="button"
                              onClick={() => void revoke.run(i.id)}
                              aria-label={`Revoke invite for ${i.email}`}
                            >
                              Revoke
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )
            }
          </Async>
        </>
      )}
    </section>
  );
}

function Tokens({ orgId }: { orgId: string }) {
  const tokens = useApi<{ items: Token[] }>(`/api/v1/organisations/${orgId}/tokens`);
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [secret, setSecret] = useState<string | null>(null);
  const create = useAction(async () => {
    const out = await api<{ secret: string }>('POST', '/api/v1/tokens', {
      name,
      expiresInDays: days ? Number(days) : null,
    });
    setSecret(out.secret);
    setName('');
    tokens.reload();
  });
  const revoke = useAction(async (id: string) => {
    await api('POST', `/api/v1/tokens/${id}/revoke`);
    tokens.reload();
  });
  return (
    <section aria-labelledby="tokens">
      <h2 id="tokens">API tokens</h2>
      <Async state={tokens} what="Loading tokens">
        {(d) => (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">Scopes</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{t.scopes.join(', ')}</td>
                  <td>
                    <When at={t.expiresAt} />
                  </td>
                  <td>
                    <When at={t.lastUsedAt} />
                  </td>
                  <td>
                    {t.revokedAt ? (
                      'revoked'
                    ) : (
                      <button type="button" onClick={() => void revoke.run(t.id)} aria-label={`Revoke token ${t.name}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Async>
      <form
        className="inline-form"
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <ErrorSummary error={create.error ?? revoke.error} />
        <Field label="New token name" issues={issuesFor(create.error?.issues ?? [], 'name')}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Expires in days" issues={issuesFor(create.error?.issues ?? [], 'expiresInDays')}>
          {(p) => <input {...p} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />}
        </Field>
        <button type="submit" disabled={create.busy}>
          Create token
        </button>
      </form>
      {secret && (
        <div className="secret" role="status">
          <p>
            <strong>Token secret, shown once.</strong> Store it now; the server keeps only its hash.
          </p>
          <p>
            <code className="wrap">{secret}</code> <CopyButton text={secret} />
          </p>
        </div>
      )}
    </section>
  );
}

function Groups({ orgs }: { orgs: Organisation[] }) {
  const groups = useApi<{ items: Group[] }>('/api/v1/sharing-groups');
  const [name, setName] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const create = useAction(async () => {
    await api('POST', '/api/v1/sharing-groups', { name, memberOrgIds: members });
    setName('');
    setMembers([]);
    groups.reload();
  });
  const nameOf = (id: string) => orgs.find((o) => o.id === id)?.name ?? id;
  return (
    <section aria-labelledby="groups">
      <h2 id="groups">Sharing groups</h2>
      <Async state={groups} what="Loading sharing groups">
        {(d) =>
          d.items.length === 0 ? (
            <p>No sharing groups.</p>
          ) : (
            <ul>
              {d.items.map((g) => (
                <li key={g.id}>
                  <strong>{g.name}</strong>: {g.memberOrgIds.map(nameOf).join(', ')}
                </li>
              ))}
            </ul>
          )
        }
      </Async>
      <form
        className="stack"
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <ErrorSummary error={create.error} />
        <Field label="New group name" issues={issuesFor(create.error?.issues ?? [], 'name')}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Member organisations" hint="Hold Ctrl or Shift to choose several.">
          {(p) => (
            <select
              {...p}
              multiple
              size={Math.min(6, Math.max(2, orgs.length))}
              value={members}
              onChange={(e) => setMembers([...e.target.selectedOptions].map((o) => o.value))}
            >
              {orgs.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" disabled={create.busy}>
          Create group
        </button>
      </form>
    </section>
  );
}

function Webhooks() {
  const hooks = useApi<{ items: Webhook[] }>('/api/v1/webhooks');
  const [open, setOpen] = useState<string | null>(null);
  const deliveries = useApi<{ items: Delivery[] }>(open ? `/api/v1/webhooks/${open}/deliveries` : null);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('exposure.*');
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const create = useAction(async () => {
    const out = await api<{ url: string; secret: string }>('POST', '/api/v1/webhooks', {
      url,
      eventTypes: events
        .split(/[\s,]+/)
        .map((e) => e.trim())
        .filter(Boolean),
    });
    setCreated({ url: out.url, secret: out.secret });
    setUrl('');
    hooks.reload();
  });
  const ping = useAction(async (id: string) => {
    await api('POST', `/api/v1/webhooks/${id}/ping`);
    setOpen(id);
    deliveries.reload();
  });
  const issues = create.error?.issues ?? [];
  return (
    <section aria-labelledby="webhooks">
      <h2 id="webhooks">Webhooks</h2>
      <ErrorSummary error={ping.error} />
      <Async state={hooks} what="Loading webhooks">
        {(d) =>
          d.items.length === 0 ? (
            <p>No webhooks.</p>
          ) : (
            <ul>
              {d.items.map((h) => (
                <li key={h.id}>
                  <code>{h.url}</code> ({h.active ? 'active' : 'paused'}; {(h.eventTypes ?? h.events ?? []).join(', ')}){' '}
                  <button
                    type="button"
                    aria-expanded={open === h.id}
                    aria-label={`Delivery log of ${h.url}`}
                    onClick={() => setOpen(open === h.id ? null : h.id)}
                  >
                    Delivery log
                  </button>{' '}
                  <button
                    type="button"
                    aria-label={`Send a test event to ${h.url}`}
                    onClick={() => void ping.run(h.id)}
                  >
                    Send a test event
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </Async>
      {open && (
        <Async state={deliveries} what="Loading deliveries">
          {(d) => (
            <table className="data">
              <caption>Deliveries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">State</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last status</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((x) => (
                  <tr key={x.id}>
                    <td>{x.eventType}</td>
                    <td>{x.state}</td>
                    <td>{x.attempts}</td>
                    <td>{x.lastStatus ?? x.lastError ?? '—'}</td>
                  </tr>
                ))}
                {d.items.length === 0 && (
                  <tr>
                    <td colSpan={4}>No deliveries yet.</td>
                  </tr>
                )}
              </tbody>
            </table>
          )}
        </Async>
      )}
      <form
        className="stack"
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <h3>Add a webhook</h3>
        <ErrorSummary error={create.error} />
        <Field label="Webhook URL" issues={issuesFor(issues, 'url')}>
          {(p) => <input {...p} type="url" value={url} onChange={(e) => setUrl(e.target.value)} />}
        </Field>
        <Field
          label="Event types"
          hint='Prefixes such as "exposure.finding" or "exposure.*", separated by commas'
          issues={issuesFor(issues, 'eventTypes')}
        >
          {(p) => <input {...p} value={events} onChange={(e) => setEvents(e.target.value)} />}
        </Field>
        <button type="submit" disabled={create.busy}>
          Add webhook
        </button>
      </form>
      {created && (
        <div className="secret" role="status">
          <p>
            <strong>Signing secret for {created.url}, shown once.</strong> Deliveries are signed with it; store it now.
          </p>
          <p>
            <code className="wrap">{created.secret}</code> <CopyButton text={created.secret} />
          </p>
        </div>
      )}
    </section>
  );
}

function LeaveOrExport({ org }: { org: Organisation }) {
  const { signOut } = useSession();
  const [confirm, setConfirm] = useState('');
  const withdraw = useAction(async () => {
    await api('POST', `/api/v1/organisations/${org.id}/withdraw`);
    await signOut();
    location.assign('/sign-in');
  });
  return (
    <section aria-labelledby="data">
      <h2 id="data">Our data</h2>
      <p>
        <a className="button" href={`/api/v1/organisations/${org.id}/export`} download={`${org.name}-export.json`}>
          Download everything we contributed (JSON)
        </a>
      </p>
      <h3>Withdraw from the clearinghouse</h3>
      <p>
        Withdrawing stops every token and session of {org.name} at once. Download your data first. Type the organisation
        name to confirm.
      </p>
      <ErrorSummary error={withdraw.error} />
      <div className="inline-form">
        <label htmlFor="withdraw-confirm">Organisation name</label>
        <input id="withdraw-confirm" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        <button
          type="button"
          className="danger"
          disabled={confirm !== org.name || withdraw.busy}
          onClick={() => void withdraw.run()}
        >
          Withdraw {org.name}
        </button>
      </div>
    </section>
  );
}

export function OrganisationPage() {
  const { me } = useSession();
  const orgs = useApi<{ items: Organisation[] }>('/api/v1/organisations');
  if (!me) return null;
  const admin = isAdmin(me);
  return (
    <>
      <PageTitle>Organisation: {me.organisation.name}</PageTitle>
      <p>
        Kind: {me.organisation.kind.replace(/_/g, ' ')}. You are {me.role === 'admin' ? 'an' : 'a'} {me.role}.
      </p>
      <Members orgId={me.orgId} />
      {admin && <Tokens orgId={me.orgId} />}
      <Groups orgs={orgs.data?.items ?? []} />
      {admin && <Webhooks />}
      {admin && <LeaveOrExport org={me.organisation as Organisation} />}
    </>
  );
}
