/** A small horizontal bar chart in plain CSS, with the numbers as text (readable without the bars). */
export function BarChart({ title, bars }: { title: string; bars: { label: string; value: number }[] }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4">
      <figcaption className="text-sm font-semibold text-slate-900">{title}</figcaption>
      <dl className="mt-3 space-y-1.5">
        {bars.map((b) => (
          <div key={b.label} className="grid grid-cols-[9rem_1fr_3rem] items-center gap-2 text-xs">
            <dt className="truncate text-slate-700">{b.label}</dt>
            <dd aria-hidden="true" className="h-3 rounded bg-slate-100">
              <div className="h-3 rounded bg-emerald-600" style={{ width: `${(b.value / max) * 100}%` }} />
            </dd>
            <dd className="text-right tabular-nums text-slate-900">{b.value}</dd>
          </div>
        ))}
      </dl>
    </figure>
  );
}
