import type { AuditEventDto } from "@/lib/audit/queries";

const fmt = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="text-slate-400">—</span>;
  return <pre className="max-h-64 overflow-auto rounded bg-slate-900 p-2 text-xs text-slate-100">{JSON.stringify(value, null, 2)}</pre>;
}

/** Each event is a native <details>: expandable with keyboard and screen readers, no script needed. */
export function AuditTable({ events }: { events: AuditEventDto[] }) {
  return (
    <div className="overflow-hidden rounded-lg border border-slate-200 bg-white">
      <div className="hidden grid-cols-[5rem_12rem_1fr_1fr_1fr] gap-3 border-b border-slate-200 bg-slate-50 px-4 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500 md:grid">
        <span>#</span>
        <span>Time (UTC)</span>
        <span>Actor</span>
        <span>Action</span>
        <span>Target</span>
      </div>
      <ul className="divide-y divide-slate-100">
        {events.map((e) => (
          <li key={e.id}>
            <details className="group">
              <summary className="grid cursor-pointer grid-cols-1 gap-1 px-4 py-2 text-sm hover:bg-slate-50 md:grid-cols-[5rem_12rem_1fr_1fr_1fr] md:gap-3">
                <span className="font-mono text-xs text-slate-500">{e.seq}</span>
                <time dateTime={e.at} className="text-slate-600">
                  {fmt.format(new Date(e.at))}
                </time>
                <span className="truncate">{e.actorLabel}</span>
                <span className="font-mono text-xs text-slate-900">{e.action}</span>
                <span className="truncate text-slate-600">
                  {e.targetType}
                  {e.targetId ? ` · ${e.targetId}` : ""}
                </span>
              </summary>
              <div className="grid gap-4 bg-slate-50 px-4 py-3 text-xs md:grid-cols-2">
                <div>
                  <p className="mb-1 font-semibold text-slate-700">Before</p>
                  <Json value={e.before} />
                </div>
                <div>
                  <p className="mb-1 font-semibold text-slate-700">After</p>
                  <Json value={e.after} />
                </div>
                <dl className="grid grid-cols-[8rem_1fr] gap-x-2 gap-y-1 md:col-span-2">
                  <dt className="text-slate-500">Reason</dt>
                  <dd>{e.reason ?? "—"}</dd>
                  <dt className="text-slate-500">Request</dt>
                  <dd className="font-mono">{e.requestId ?? "—"}</dd>
                  <dt className="text-slate-500">Client IP</dt>
                  <dd className="font-mono">{e.clientIp ?? "—"}</dd>
                  <dt className="text-slate-500">Hash</dt>
                  <dd className="break-all font-mono">{e.hash}</dd>
                  <dt className="text-slate-500">Previous hash</dt>
                  <dd className="break-all font-mono">{e.prevHash}</dd>
                </dl>
              </div>
            </details>
          </li>
        ))}
      </ul>
    </div>
  );
}
