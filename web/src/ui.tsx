/** Shared pieces: request state (loading / error / data), TLP badges, form fields with their errors, dates. */
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from './api';

export { ErrorSummary, Field, issuesFor } from './components/form';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null: nothing yet) and keeps loading and error states; reload() asks again. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is how reload() asks for the same path again.
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    api<T>('GET', path).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) =>
        live &&
        setState({
          data: null,
          error: error instanceof ApiError ? error : new ApiError(0, { detail: String(error) }),
          loading: false,
        }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}

export function ErrorBox({ error, retry }: { error: ApiError | Error; retry?: () => void }) {
  const status = error instanceof ApiError ? error.status : 0;
  const title =
    status === 401
      ? 'Sign in to see this'
      : status === 403
        ? 'You may not see or do this'
        : status === 404
          ? 'Not found (or not visible to you)'
          : 'Something went wrong';
  return (
    <div className="error" role="alert">
      <p>
        <strong>Error: {title}.</strong> {error.message}
      </p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Renders loading and error states, then the data. */
export function Async<T>({
  state,
  children,
  what,
  title,
  keep = false,
}: {
  state: Loaded<T>;
  children: (d: T) => ReactNode;
  what?: string;
  /** A page-level request: while loading or failed, the page still has its heading. */
  title?: string;
  /** While the same request is asked again (reload), keep showing the data already loaded. */
  keep?: boolean;
}) {
  const heading = title ? <PageTitle>{title}</PageTitle> : null;
  if (state.error)
    return (
      <>
        {heading}
        <ErrorBox error={state.error} retry={state.reload} />
      </>
    );
  if (keep && state.data !== null && !state.error) return <>{children(state.data)}</>;
  if (state.loading || state.data === null)
    return (
      <>
        {heading}
        <Loading what={what} />
      </>
    );
  return <>{children(state.data)}</>;
}

const TLP_CLASS: Record<string, string> = {
  CLEAR: 'tlp-clear',
  GREEN: 'tlp-green',
  AMBER: 'tlp-amber',
  'AMBER+STRICT': 'tlp-amber',
  RED: 'tlp-red',
};

/** A TLP 2.0 label: the word itself is always shown (colour is never the only signal). */
export function TlpBadge({ tlp }: { tlp: string | null | undefined }) {
  if (!tlp) return null;
  return <span className={`tlp ${TLP_CLASS[tlp] ?? ''}`}>TLP:{tlp}</span>;
}

export function Severity({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">unrated</span>;
  return <span className={`sev sev-${value.toLowerCase()}`}>{value}</span>;
}

/** An instant in the viewer's own time zone, with the zone named. */
export function When({ at, withZone = false }: { at: string | null | undefined; withZone?: boolean }) {
  if (!at) return <span className="muted">—</span>;
  const d = new Date(at);
  // dateStyle/timeStyle cannot be combined with timeZoneName: spell the fields out.
  const text = d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    ...(withZone ? { timeZoneName: 'short' } : {}),
  });
  return <time dateTime={at}>{text}</time>;
}

export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Page heading that receives focus when the page opens (screen readers announce the new page). */
export function PageTitle({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

/** Runs an async action with busy and error state. */
export function useAction<A extends unknown[], R>(fn: (...a: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (...a: A): Promise<R | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn(...a);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, { detail: String(e) }));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

/**
 * A form's values in one state: the values, their setter, and `set(k)`, the change handler of a text control that
 * writes its value into field `k`.
 */
export function useFields<F extends object>(initial: F) {
  const [f, setF] = useState(initial);
  const set = (k: keyof F) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  return [f, setF, set] as const;
}

export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/** Copy-to-clipboard with a visible confirmation. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setDone(true));
      }}
    >
      {done ? 'Copied' : label}
    </button>
  );
}
