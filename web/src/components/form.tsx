/**
 * Forms that speak to the API: a labelled field that shows its own problem+json issues (aria-invalid,
 * aria-describedby), and a form that stops the browser's own validation, runs its action and lists the server's
 * issues in a summary that takes focus and links to each field.
 */
import { type ChangeEvent, type FormEvent, type ReactNode, useEffect, useId, useRef } from 'react';
import type { ApiError, FieldIssue } from '../api';

/** Issues of one field (exact path, or nested below it). */
export function issuesFor(issues: FieldIssue[], path: string): FieldIssue[] {
  return issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`));
}

export interface ControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby'?: string;
}

/**
 * A label, an optional hint, the control (given its id and ARIA attributes) and the field's errors. The errors come
 * either as `issues`, or from the API error of the form through `error` and the field's body `path`.
 */
export function Field({
  label,
  issues,
  error,
  path,
  hint,
  children,
  id: given,
}: {
  label: string;
  issues?: FieldIssue[];
  error?: ApiError | null;
  path?: string;
  hint?: string;
  id?: string;
  children: (props: ControlProps) => ReactNode;
}) {
  const auto = useId();
  const id = given ?? auto;
  const errs = issues ?? (error && path !== undefined ? issuesFor(error.issues, path) : []);
  const described = [hint ? `${id}-hint` : '', errs.length ? `${id}-err` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${errs.length ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children({ id, 'aria-invalid': errs.length > 0, ...(described ? { 'aria-describedby': described } : {}) })}
      {errs.length > 0 && (
        <p className="field-error" id={`${id}-err`}>
          <span aria-hidden="true">⚠ </span>
          {errs.map((e) => e.message).join('; ')}
        </p>
      )}
    </div>
  );
}

/**
 * A select of fixed choices for a `Field`: each option's value is the choice itself and its text `text(choice)` (the
 * choice as it is by default).
 */
export function Choice({
  choices,
  text = (c) => c,
  ...select
}: ControlProps & {
  value: string;
  choices: readonly string[];
  text?: (choice: string) => ReactNode;
  onChange: (e: ChangeEvent<HTMLSelectElement>) => void;
}) {
  return (
    <select {...select}>
      {choices.map((c) => (
        <option key={c} value={c}>
          {text(c)}
        </option>
      ))}
    </select>
  );
}

/** The list of a form's problems at its top, each linking to its field. */
export function ErrorSummary({ error, fieldIds }: { error: ApiError | null; fieldIds?: Record<string, string> }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  return (
    <div className="error" role="alert" tabIndex={-1} ref={ref}>
      <p>
        <strong>The server refused this:</strong> {error.message}
      </p>
      {error.issues.length > 0 && (
        <ul>
          {error.issues.map((i) => {
            const key = Object.keys(fieldIds ?? {}).find((k) => i.path === k || i.path.startsWith(`${k}.`));
            const target = key ? fieldIds?.[key] : undefined;
            return (
              <li key={`${i.path}:${i.message}`}>
                {target ? <a href={`#${target}`}>{i.path}</a> : <code>{i.path || 'body'}</code>}: {i.message}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/**
 * A form whose submit runs `onSubmit` (the browser's own validation is off: the server's answer is the one shown),
 * with the summary of the server's issues at its top.
 */
export function ApiForm({
  onSubmit,
  error,
  fieldIds,
  title,
  className,
  label,
  children,
}: {
  onSubmit: () => void;
  error: ApiError | null;
  fieldIds?: Record<string, string>;
  /** A level-3 heading inside the form. */
  title?: string;
  className?: string;
  /** The form's accessible name when it has no title. */
  label?: string;
  children: ReactNode;
}) {
  return (
    <form
      className={className}
      aria-label={label}
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {title && <h3>{title}</h3>}
      <ErrorSummary error={error} fieldIds={fieldIds} />
      {children}
    </form>
  );
}
