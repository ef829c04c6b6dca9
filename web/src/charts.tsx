/**
 * Bar and line charts drawn by Chart.js on a canvas, each with a text alternative: the canvas is an image labelled
 * with its title, and the same numbers are in a table beside it (open "Show the numbers").
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useId, useRef } from 'react';

Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
);

export interface Series {
  labels: string[];
  values: number[];
}

export function ChartBox({ title, data, kind = 'bar' }: { title: string; data: Series; kind?: 'bar' | 'line' }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const id = useId();
  useEffect(() => {
    if (!ref.current) return;
    const chart = new Chart(ref.current, {
      type: kind,
      data: {
        labels: data.labels,
        datasets: [{ label: title, data: data.values, backgroundColor: '#1f5fa8', borderColor: '#1f5fa8' }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    return () => chart.destroy();
  }, [data, kind, title]);
  const total = data.values.reduce((a, b) => a + b, 0);
  return (
    <figure className="chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`}>
        {title} <span className="muted">(total {total})</span>
      </figcaption>
      <div className="canvas-wrap">
        <canvas ref={ref} role="img" aria-label={`${title}: chart; the numbers are in the table below`} />
      </div>
      <details>
        <summary>Show the numbers</summary>
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Label</th>
              <th scope="col">Count</th>
            </tr>
          </thead>
          <tbody>
            {data.labels.map((l, i) => (
              <tr key={l}>
                <td>{l}</td>
                <td>{data.values[i]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export function countBy<T>(items: T[], key: (t: T) => string | string[] | null | undefined): Series {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    for (const x of Array.isArray(k) ? k : k ? [k] : []) m.set(x, (m.get(x) ?? 0) + 1);
  }
  const labels = [...m.keys()].sort();
  return { labels, values: labels.map((l) => m.get(l) ?? 0) };
}

/** Counts per day (YYYY-MM-DD, UTC) over the last `days` days, zeros included. */
export function perDay(instants: string[], days: number, now = new Date()): Series {
  const labels: string[] = [];
  for (let i = days - 1; i >= 0; i--) labels.push(new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10));
  const values = labels.map((d) => instants.filter((t) => t.startsWith(d)).length);
  return { labels, values };
}

/** Counts per month (YYYY-MM) over the last `months` months. */
export function perMonth(instants: string[], months: number, now = new Date()): Series {
  const labels: string[] = [];
  for (let i = months - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    labels.push(d.toISOString().slice(0, 7));
  }
  return { labels, values: labels.map((m) => instants.filter((t) => t.startsWith(m)).length) };
}

/** Server-side counts per month (YYYY-MM) laid over the last `months` months, zeros included. */
export function monthCounts(rows: { month: string; count: number }[], months: number, now = new Date()): Series {
  const labels = perMonth([], months, now).labels;
  const m = new Map(rows.map((r) => [r.month, r.count]));
  return { labels, values: labels.map((l) => m.get(l) ?? 0) };
}
