"use client";

import { useQuery } from "@tanstack/react-query";
import type { JobHealth } from "@/lib/jobs/health";

/** Live queue health: polled every 5 s with TanStack Query. */
export function JobHealthCard({ initial }: { initial: JobHealth }) {
  const { data, isError } = useQuery<JobHealth>({
    queryKey: ["job-health"],
    queryFn: async () => {
      const res = await fetch("/api/jobs/health", { cache: "no-store" });
      if (!res.ok) throw new Error(`job health: ${res.status}`);
      return res.json() as Promise<JobHealth>;
    },
    initialData: initial,
    refetchInterval: 5_000,
  });
  const stats: [string, number][] = [
    ["Queued", data.queued],
    ["Running", data.running],
    ["Succeeded (24 h)", data.succeeded24h],
    ["Failed (24 h)", data.failed24h],
  ];
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-label="Background jobs">
      <h2 className="text-sm font-semibold text-slate-900">Background jobs</h2>
      <dl className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-4">
        {stats.map(([label, n]) => (
          <div key={label}>
            <dt className="text-xs text-slate-500">{label}</dt>
            <dd className={`text-xl font-semibold ${label.startsWith("Failed") && n > 0 ? "text-red-700" : "text-slate-900"}`}>{n}</dd>
          </div>
        ))}
      </dl>
      {isError && <p role="alert" className="mt-2 text-xs text-amber-700">Live updates paused: the portal did not answer.</p>}
    </section>
  );
}
