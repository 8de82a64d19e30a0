"use client";

import { Bar, BarChart, CartesianGrid, Cell, Legend, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface ProgressRow {
  label: string;
  decided: number;
  remaining: number;
  overdue: number;
}

export interface Slice {
  label: string;
  value: number;
}

const SLICE_COLORS: Record<string, string> = {
  Certified: "#047857",
  Revoked: "#b91c1c",
  Modified: "#b45309",
  Undecided: "#94a3b8",
  Pending: "#6366f1",
  Verified: "#047857",
  Failed: "#b91c1c",
  Exception: "#c2410c",
  Manual: "#64748b",
};

/** A donut of one split (decisions, remediation), with the numbers as a list beside it for screen readers. */
export function SplitChart({ title, slices, testId }: { title: string; slices: Slice[]; testId?: string }) {
  const total = slices.reduce((s, x) => s + x.value, 0);
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4" data-testid={testId}>
      <figcaption className="text-sm font-semibold text-slate-900">{title}</figcaption>
      <div className="mt-2 grid grid-cols-[8rem_1fr] items-center gap-3">
        <div aria-hidden="true" className="h-32 w-32">
          {total > 0 ? (
            <ResponsiveContainer width="100%" height="100%">
              <PieChart>
                <Pie data={slices.filter((s) => s.value > 0)} dataKey="value" nameKey="label" innerRadius={34} outerRadius={58} isAnimationActive={false}>
                  {slices
                    .filter((s) => s.value > 0)
                    .map((s) => (
                      <Cell key={s.label} fill={SLICE_COLORS[s.label] ?? "#64748b"} />
                    ))}
                </Pie>
                <Tooltip />
              </PieChart>
            </ResponsiveContainer>
          ) : (
            <div className="h-32 w-32 rounded-full border-8 border-slate-100" />
          )}
        </div>
        <dl className="space-y-1 text-xs">
          {slices.map((s) => (
            <div key={s.label} className="flex items-center justify-between gap-2">
              <dt className="flex items-center gap-1.5 text-slate-700">
                <span aria-hidden="true" className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: SLICE_COLORS[s.label] ?? "#64748b" }} />
                {s.label}
              </dt>
              <dd className="tabular-nums text-slate-900">
                {s.value}
                {total > 0 && <span className="ml-1 text-slate-500">({Math.round((s.value / total) * 100)}%)</span>}
              </dd>
            </div>
          ))}
        </dl>
      </div>
    </figure>
  );
}

/** Decided / remaining stacked bars per reviewer or per team, with a table of the same numbers below. */
export function ProgressBars({ title, rows, testId }: { title: string; rows: ProgressRow[]; testId?: string }) {
  const height = Math.min(420, 40 + rows.length * 28);
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4" data-testid={testId}>
      <figcaption className="text-sm font-semibold text-slate-900">{title}</figcaption>
      {rows.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500">Nothing to show yet.</p>
      ) : (
        <>
          <div aria-hidden="true" className="mt-2" style={{ height }}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={rows.slice(0, 12)} layout="vertical" margin={{ left: 8, right: 16 }}>
                <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                <XAxis type="number" allowDecimals={false} fontSize={11} />
                <YAxis type="category" dataKey="label" width={120} fontSize={11} />
                <Tooltip />
                <Legend wrapperStyle={{ fontSize: 11 }} />
                <Bar dataKey="decided" name="Decided" stackId="a" fill="#047857" isAnimationActive={false} />
                <Bar dataKey="remaining" name="Remaining" stackId="a" fill="#cbd5e1" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <table className="mt-3 w-full text-xs">
            <thead className="text-left text-slate-500">
              <tr>
                <th scope="col" className="py-1 font-medium">Name</th>
                <th scope="col" className="py-1 text-right font-medium">Decided</th>
                <th scope="col" className="py-1 text-right font-medium">Remaining</th>
                <th scope="col" className="py-1 text-right font-medium">Overdue</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((r) => (
                <tr key={r.label}>
                  <td className="py-1 text-slate-800">{r.label}</td>
                  <td className="py-1 text-right tabular-nums">{r.decided}</td>
                  <td className="py-1 text-right tabular-nums">{r.remaining}</td>
                  <td className={`py-1 text-right tabular-nums ${r.overdue > 0 ? "font-semibold text-red-700" : ""}`}>{r.overdue}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}
