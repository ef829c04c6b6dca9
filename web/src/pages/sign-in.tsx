import { type FormEvent, useEffect, useState } from 'react';
import { type ApiError, api } from '../api';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { Async, ErrorSummary, Field, issuesFor, PageTitle, useAction } from '../ui';

export function SignInPage({ next = '/' }: { next?: string }) {
  const { signIn, me } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(async () => {
    await signIn(email, password);
    navigate(next === '/sign-in' ? '/' : next, true);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run();
  };
  const issues = action.error?.issues ?? [];
  return (
    <section className="narrow">
      <PageTitle>Sign in</PageTitle>
      {me && (
        <p>
          You are signed in as a member of {me.organisation.name}. <Link to="/">Go to your dashboard</Link>.
        </p>
      )}
      <p>Members sign in with the email and password set through their invite link. Machines use API tokens.</p>
      <form onSubmit={submit} noValidate aria-describedby="signin-note">
        <ErrorSummary error={action.error} fieldIds={{ email: 'email', password: 'password' }} />
        <Field label="Email" id="email" issues={issuesFor(issues, 'email')}>
          {(p) => (
            <input
              {...p}
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          )}
        </Field>
        <Field label="Password" id="password" issues={issuesFor(issues, 'password')}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p id="signin-note" className="hint">
          After repeated wrong passwords the account locks for a while.
        </p>
      </form>
      <p>
        Or browse the <Link to="/advisories">public advisories</Link> without signing in.
      </p>
    </section>
  );
}

interface InviteInfo {
  email: string;
  name: string;
  organisation: string;
  expiresAt: string;
}

export function InvitePage() {
  const [token] = useState(() => decodeURIComponent(location.hash.replace(/^#/, '')));
  const [info, setInfo] = useState<{ data: InviteInfo | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  useEffect(() => {
    // The token stays in the fragment (never sent in a URL); drop it from the address bar and history.
    history.replaceState(null, '', '/invite');
    api<InviteInfo>('POST', '/api/v1/invites/inspect', { token }).then(
      (data) => setInfo({ data, error: null, loading: false }),
      (error: ApiError) => setInfo({ data: null, error, loading: false }),
    );
  }, [token]);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState(false);
  const [mismatch, setMismatch] = useState(false);
  const action = useAction(async () => {
    await api('POST', '/api/v1/invites/accept', { token, password });
    setDone(true);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMismatch(password !== again);
    if (password === again) void action.run();
  };
  const state = { ...info, reload: () => location.reload() };
  return (
    <section className="narrow">
      <PageTitle>Set your password</PageTitle>
      <Async state={state} what="Checking the invite link">
        {(d) =>
          done ? (
            <p role="status">
              Your password is set. <Link to="/sign-in">Sign in as {d.email}</Link>.
            </p>
          ) : (
            <form onSubmit={submit} noValidate>
              <p>
                {d.name} ({d.email}), {d.organisation}. This link works once.
              </p>
              <ErrorSummary error={action.error} fieldIds={{ password: 'new-password' }} />
              <Field
                label="New password"
                id="new-password"
                hint="At least 12 characters."
                issues={issuesFor(action.error?.issues ?? [], 'password')}
              >
                {(p) => (
                  <input
                    {...p}
                    type="password"
                    autoComplete="new-password"
                    value={password}
                    onChange={(e) => setPassword(e.target.value)}
                  />
                )}
              </Field>
              <Field
                label="Repeat the password"
                issues={mismatch ? [{ path: 'again', message: 'the two passwords differ' }] : []}
              >
                {(p) => (
                  <input
                    {...p}
                    type="password"
                    autoComplete="new-password"
                    value={again}
                    onChange={(e) => setAgain(e.target.value)}
                  />
                )}
              </Field>
              <button type="submit" className="primary" disabled={action.busy}>
                Set password
              </button>
            </form>
          )
        }
      </Async>
    </section>
  );
}
