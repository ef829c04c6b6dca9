/**
 * A data table over one API list: the loading and error states of the request (with a retry), a sentence when the
 * list is empty, then a table with column headers and an optional caption.
 */
import type { ReactNode } from 'react';
import { Async, type Loaded } from '../ui';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
}

export function Table<T>({
  rows,
  columns,
  rowKey,
  caption,
  empty,
}: {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  caption?: ReactNode;
  /** Shown instead of the table when there are no rows. */
  empty: string;
}) {
  if (rows.length === 0) return <p className="empty">{empty}</p>;
  return (
    <table className="data">
      {caption && <caption>{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" key={c.header}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={rowKey(r)}>
            {columns.map((c) => (
              <td key={c.header}>{c.cell(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A table of `state.data.items` with the request's loading, error and empty states. */
export function DataTable<T>({
  state,
  what,
  keep,
  ...table
}: {
  state: Loaded<{ items: T[] }>;
  /** Keep the rows on screen while the list is asked again (a refresh or a poll). */
  keep?: boolean;
  /** What is loading, for the status line ("Loading grants"). */
  what: string;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  caption?: ReactNode;
  empty: string;
}) {
  return (
    <Async state={state} what={what} keep={keep}>
      {(d) => <Table rows={d.items} {...table} />}
    </Async>
  );
}
