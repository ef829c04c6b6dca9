import { useState } from 'react';
import { api } from '../api';
import { type Column, DataTable } from '../components/data-table';
import { ApiForm, ErrorSummary, Field } from '../components/form';
import { isAdmin, useSession } from '../session';
import type { Organisation } from '../types';
import { Async, CopyButton, PageTitle, useAction, useApi, When } from '../ui';

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
  const memberColumns: Column<Member>[] = [
    { header: 'Name', cell: (m) => m.name },
    { header: 'Email', cell: (m) => m.email },
    { header: 'Role', cell: (m) => m.role },
    { header: 'Status', cell: (m) => m.status },
    ...(admin
      ? [
          {
            header: 'Password link',
            cell: (m: Member) => (
              <button
                type="button"
                onClick={() => void invite.run({ memberId: m.id })}
                aria-label={`New link for ${m.email} to set a password`}
              >
                New link
              </button>
            ),
          },
        ]
      : []),
  ];
  const inviteColumns: Column<Invite>[] = [
    { header: 'Email', cell: (i) => i.email },
    { header: 'Status', cell: (i) => i.status },
    { header: 'Expires', cell: (i) => <When at={i.expiresAt} /> },
    {
      header: 'Action',
      cell: (i) =>
        i.status === 'open' && (
          <button type="button" onClick={() => void revoke.run(i.id)} aria-label={`Revoke invite for ${i.email}`}>
            Revoke
          </button>
        ),
    },
  ];
  const e = invite.error;
  return (
    <section aria-labelledby="members">
      <h2 id="members">Members</h2>
      <DataTable
        state={members}
        what="Loading members"
        columns={memberColumns}
        rowKey={(m) => m.id}
        empty="No members."
      />
      {admin && (
        <>
          <h3>Invite a member</h3>
          <ApiForm
            className="stack"
            error={e}
            fieldIds={{ email: 'inv-email', name: 'inv-name' }}
            onSubmit={() => void invite.run(f)}
          >
            <Field label="Email" id="inv-email" error={e} path="email">
              {(p) => (
                <input {...p} type="email" value={f.email} onChange={(ev) => setF({ ...f, email: ev.target.value })} />
              )}
            </Field>
            <Field label="Name" id="inv-name" error={e} path="name">
              {(p) => <input {...p} value={f.name} onChange={(ev) => setF({ ...f, name: ev.target.value })} />}
            </Field>
            <Field label="Role" error={e} path="role">
              {(p) => (
                <select {...p} value={f.role} onChange={(ev) => setF({ ...f, role: ev.target.value })}>
                  <option value="viewer">viewer (read)</option>
                  <option value="analyst">analyst (read and write)</option>
                  <option value="admin">admin (manages the organisation)</option>
                </select>
              )}
            </Field>
            <button type="submit" className="primary" disabled={invite.busy}>
              Create invite link
            </button>
          </ApiForm>
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
          <DataTable
            state={invites}
            what="Loading invites"
            columns={inviteColumns}
            rowKey={(i) => i.id}
            empty="No invites."
          />
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
  const tokenColumns: Column<Token>[] = [
    { header: 'Name', cell: (t) => t.name },
    { header: 'Prefix', cell: (t) => <code>{t.prefix}…</code> },
    { header: 'Scopes', cell: (t) => t.scopes.join(', ') },
    { header: 'Expires', cell: (t) => <When at={t.expiresAt} /> },
    { header: 'Last used', cell: (t) => <When at={t.lastUsedAt} /> },
    {
      header: 'Action',
      cell: (t) =>
        t.revokedAt ? (
          'revoked'
        ) : (
          <button type="button" onClick={() => void revoke.run(t.id)} aria-label={`Revoke token ${t.name}`}>
            Revoke
          </button>
        ),
    },
  ];
  return (
    <section aria-labelledby="tokens">
      <h2 id="tokens">API tokens</h2>
      <DataTable state={tokens} what="Loading tokens" columns={tokenColumns} rowKey={(t) => t.id} empty="No tokens." />
      <ApiForm className="inline-form" error={create.error ?? revoke.error} onSubmit={() => void create.run()}>
        <Field label="New token name" error={create.error} path="name">
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Expires in days" error={create.error} path="expiresInDays">
          {(p) => <input {...p} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />}
        </Field>
        <button type="submit" disabled={create.busy}>
          Create token
        </button>
      </ApiForm>
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
      <ApiForm className="stack" error={create.error} onSubmit={() => void create.run()}>
        <Field label="New group name" error={create.error} path="name">
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field
          label="Member organisations"
          hint="Hold Ctrl or Shift to choose several."
          error={create.error}
          path="memberOrgIds"
        >
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
      </ApiForm>
    </section>
  );
}

const deliveryColumns: Column<Delivery>[] = [
  { header: 'Event', cell: (x) => x.eventType },
  { header: 'State', cell: (x) => x.state },
  { header: 'Attempts', cell: (x) => x.attempts },
  { header: 'Last status', cell: (x) => x.lastStatus ?? x.lastError ?? '—' },
];

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
        <DataTable
          state={deliveries}
          what="Loading deliveries"
          columns={deliveryColumns}
          rowKey={(x) => x.id}
          caption="Deliveries, newest first"
          empty="No deliveries yet."
        />
      )}
      <ApiForm className="stack" title="Add a webhook" error={create.error} onSubmit={() => void create.run()}>
        <Field label="Webhook URL" error={create.error} path="url">
          {(p) => <input {...p} type="url" value={url} onChange={(e) => setUrl(e.target.value)} />}
        </Field>
        <Field
          label="Event types"
          hint='Prefixes such as "exposure.finding" or "exposure.*", separated by commas'
          error={create.error}
          path="eventTypes"
        >
          {(p) => <input {...p} value={events} onChange={(e) => setEvents(e.target.value)} />}
        </Field>
        <button type="submit" disabled={create.busy}>
          Add webhook
        </button>
      </ApiForm>
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
